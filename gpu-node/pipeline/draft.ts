// The entry as it is being written. It is checkpointed after every step, so it holds everything
// needed to resume: the step it is at (see steps.ts), the plan, every paragraph written so far, and
// the record of retries. Read back from the node's database through the zod schema below.
import { z } from "zod";
import { EntryStatus } from "../../shared/lifecycle/index.ts";
import { SectionRequest } from "../../shared/review/decisions.ts";
import { EntryPlan, SectionDetail } from "./plan.ts";

const count = z.number().int().min(0);

export const SectionDraft = z.object({
  /** One slot per planned paragraph (null until written), then any expansion paragraphs. */
  paragraphs: z.array(z.string().nullable()),
  expansions: count,
});
export type SectionDraft = z.infer<typeof SectionDraft>;

export const StepRecord = z.object({ key: z.string(), kind: z.string(), reason: z.string().optional() });
export type StepRecord = z.infer<typeof StepRecord>;

export const CorrectionTarget = z.object({ section: count, paragraph: count, reason: z.string() });
export type CorrectionTarget = z.infer<typeof CorrectionTarget>;

const draftFields = {
  /** Every generation step's seed derives from this and the step's key. */
  seed: z.number().int().min(0),
  status: EntryStatus,
  /** The step of the step table (steps.ts) that runs next; "done" once every step ran. */
  step: z.string(),
  titles: z.array(z.string()).optional(),
  details: z.array(SectionDetail.nullable()).optional(),
  plan: EntryPlan.optional(),
  sections: z.array(SectionDraft),
  /** Correction rounds completed. */
  correctionRound: count,
  /** Paragraphs the current correction round regenerates, fixed before it starts (for exact resumes). */
  pendingCorrections: z.array(CorrectionTarget).optional(),
  tokens: count,
  retries: z.array(StepRecord),
  /** Knowledge-base passages retrieved per section (by numeral), kept so a resume sees the same. */
  passages: z.record(z.string(), z.array(z.string())).optional(),
  /** The sources library's works offered to the blueprint, and each section's primary passages (by numeral), kept for the same reason. */
  sourceWorks: z.array(z.string()).optional(),
  primary: z.record(z.string(), z.array(z.object({ citation: z.string(), text: z.string(), sourceUrl: z.string().nullable() }))).optional(),
  /** A reviewer's revision of chosen sections (steps/revision.ts): the revision it writes, from which, and what was asked. */
  revision: z.object({ number: count, base: count, requests: z.array(SectionRequest) }).optional(),
};

const DraftV2 = z.object({ version: z.literal(2), ...draftFields });

/**
 * Drafts written before the step table (version 1) carry no step: it follows from what they hold,
 * as the pipeline then decided it.
 */
function upgradeV1(value: unknown): unknown {
  if (typeof value !== "object" || value === null || (value as { version?: unknown }).version !== 1) return value;
  const v1 = value as { status?: string; plan?: unknown };
  const status = v1.status ?? "queued";
  const step = !v1.plan
    ? "blueprint"
    : ["queued", "blueprint", "sections"].includes(status)
      ? "sections"
      : ["validating", "correcting"].includes(status)
        ? "correction"
        : "finish";
  return { ...value, version: 2, step };
}

export const EntryDraft = z.preprocess(upgradeV1, DraftV2);
export type EntryDraft = z.infer<typeof DraftV2>;

/** A draft with nothing written yet, at `firstStep` (the step table's first, "blueprint"). */
export function newDraft(seed: number, firstStep = "blueprint"): EntryDraft {
  return { version: 2, seed, status: "queued", step: firstStep, sections: [], correctionRound: 0, tokens: 0, retries: [] };
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
