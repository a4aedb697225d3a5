// Bounds of tests that write whole entries. Their work is what bounds them: small tier targets, token
// limits, one thread (no calibration unless the test is about it). The time limits below only stop a
// hang: CI runs on the developer's own 2-core machine, busy with the rest of the suite and other work,
// where the same entry takes several times longer than on a quiet one.
import type { Tier } from "../../shared/api/tier.ts";
import { pipelineConfigSchema } from "../../gpu-node/pipeline/config.ts";

/** Longest wait for one whole entry (a waitFor, a CLI run, a test that writes one or two entries). */
export const entryHangGuardMs = 900_000;

/** The size of one tier's entries: `minWords` in `sections` sections of paragraphs of about `paragraphWords`. */
export type SmallTier = { minWords: number; sections: number; paragraphWords: number; margin?: number };

/**
 * Pipeline settings for small entries of one tier, no expansion or correction rounds: seconds of
 * decoding on the test model. The other tiers keep the pipeline's own sizes.
 */
export function smallTier(tier: Tier, { minWords, sections, paragraphWords, margin = 0.05 }: SmallTier): Record<string, string> {
  const tiers = pipelineConfigSchema.shape.tiers.parse(undefined);
  return {
    OPUS_PIPELINE__TIERS: JSON.stringify({ ...tiers, [tier]: { minWords, margin, sections } }),
    OPUS_PIPELINE__PARAGRAPH_WORDS: String(paragraphWords),
    OPUS_PIPELINE__EXPANSION_ATTEMPTS: "0",
    OPUS_PIPELINE__CORRECTION_ROUNDS: "0",
  };
}

/** A tier B of a few short sections, no expansion or correction rounds: seconds of decoding on the test model. */
export function smallTierB(sections = 4): Record<string, string> {
  return smallTier("B", { minWords: 120 * sections, sections, paragraphWords: 60 });
}
