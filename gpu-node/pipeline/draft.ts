// The entry as it is being written. It is checkpointed after every step, so it holds everything
// needed to resume: the plan, every paragraph written so far, and the record of retries.
import type { EntryStatus } from "../../shared/api/entry.ts";
import type { EntryPlan } from "./plan.ts";

export type SectionDraft = {
  /** One slot per planned paragraph (null until written), then any expansion paragraphs. */
  paragraphs: (string | null)[];
  expansions: number;
};

export type StepRecord = { key: string; kind: string; reason?: string };

export type EntryDraft = {
  version: 1;
  /** Every generation step's seed derives from this and the step's key. */
  seed: number;
  status: EntryStatus;
  titles?: string[];
  details?: ({ goal: string; keyPoints: string[]; sources: string[] } | null)[];
  plan?: EntryPlan;
  sections: SectionDraft[];
  /** Correction rounds completed. */
  correctionRound: number;
  /** Paragraphs the current correction round regenerates, fixed before it starts (for exact resumes). */
  pendingCorrections?: { section: number; paragraph: number; reason: string }[];
  tokens: number;
  retries: StepRecord[];
  /** Knowledge-base passages retrieved per section (by numeral), kept so a resume sees the same. */
  passages?: Record<string, string[]>;
};

export function newDraft(seed: number): EntryDraft {
  return { version: 1, seed, status: "queued", sections: [], correctionRound: 0, tokens: 0, retries: [] };
}

/** FNV-1a of the step key mixed with the entry seed: stable across restarts and machines. */
export function stepSeed(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
