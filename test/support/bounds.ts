// Bounds of tests that write whole entries. Their work is what bounds them: small tier targets, token
// limits, one thread (no calibration unless the test is about it). The time limits below only stop a
// hang: CI runs on the developer's own 2-core machine, busy with the rest of the suite and other work,
// where the same entry takes several times longer than on a quiet one.

/** Longest wait for one whole entry (a waitFor, a CLI run, a test that writes one or two entries). */
export const entryHangGuardMs = 900_000;

/** A tier B of a few short sections, no expansion or correction rounds: seconds of decoding on the test model. */
export function smallTierB(sections = 4): Record<string, string> {
  return {
    OPUS_PIPELINE__TIERS: JSON.stringify({
      S: { minWords: 10_000, margin: 0.08, sections: 6 },
      A: { minWords: 5_000, margin: 0.08, sections: 5 },
      B: { minWords: 120 * sections, margin: 0.05, sections },
    }),
    OPUS_PIPELINE__PARAGRAPH_WORDS: "60",
    OPUS_PIPELINE__EXPANSION_ATTEMPTS: "0",
    OPUS_PIPELINE__CORRECTION_ROUNDS: "0",
  };
}
