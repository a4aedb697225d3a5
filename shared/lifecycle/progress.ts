// The progress record: how far an entry has come. One shape from the node's pipeline (what it
// reports), over the wire (each node event carries it, with the status), in the edge's store (one
// JSON column) to the status view (spread as is): nobody renames or regroups its fields.
import { z } from "zod";
import type { EntryStatus } from "./statuses.ts";

const count = z.number().int().min(0);

/** Parsing fills what a report leaves out (as the protocol always has): nothing yet, unknown ETA. */
export const ProgressRecord = z.object({
  /** What is happening now, in words ("writing 6 sections", "waiting for a GPU node"). */
  step: z.string().max(200).default(""),
  /** 0..1, never decreasing on the edge whatever a node reports (see advanceProgress). */
  progress: z.number().min(0).max(1),
  words: count.default(0),
  sections: z.object({ done: count, total: count }).default({ done: 0, total: 0 }),
  /** Tokens generated for the entry so far. */
  tokens: count.default(0),
  /** Seconds left at the current writing rate; null when unknown. */
  eta_seconds: z.number().min(0).nullable().default(null),
});
export type ProgressRecord = z.infer<typeof ProgressRecord>;

/** What the pipeline reports and each node event carries: the status and the progress record. */
export type ProgressReport = { status: EntryStatus } & ProgressRecord;

/** A new entry's record. */
export function initialProgress(step: string): ProgressRecord {
  return { step, progress: 0, words: 0, sections: { done: 0, total: 0 }, tokens: 0, eta_seconds: null };
}

/**
 * The record after a node's report: the node's figures, except that `progress` never goes back (a
 * node that restarts or resumes may report as if it started over; the edge keeps its promise) and
 * a finished entry is complete.
 */
export function advanceProgress(stored: ProgressRecord, reported: ProgressRecord, opts: { finished?: boolean } = {}): ProgressRecord {
  return { ...reported, progress: opts.finished ? 1 : Math.max(stored.progress, reported.progress) };
}

/** Progress as shown and sent in webhooks: three decimals. */
export const shownProgress = (progress: number) => Math.round(progress * 1000) / 1000;
