// The statuses an entry passes through, in groups the code asks about: waiting, being written,
// finished by the pipeline, ended. Everything else (the SQL filters of the edge's store, the node's
// checkpoints, the CLI's wait) derives from these lists; nobody spells a list of statuses by hand.
import { z } from "zod";

/** Waiting for a GPU node (new, retried, or between nodes before the first report). */
export const waitingStatuses = ["queued"] as const;
/** The pipeline's steps on a GPU node, in the order it takes them (validating and correcting alternate). */
export const workingStatuses = ["blueprint", "sections", "validating", "correcting", "assembling", "finalizing"] as const;
/**
 * A reviewer's revision of chosen sections (issue 12): waiting for a GPU node, or being rewritten on
 * one. Dispatched, leased and swept like any unfinished entry; the node reports it as it is.
 */
export const revisionStatuses = ["revising"] as const;
/** What a `finished` node event ends in: the quality gate's verdict. */
export const finishedStatuses = ["succeeded", "needs_review"] as const;
/** A reviewer's verdict on a finished entry: final. */
export const decidedStatuses = ["approved", "rejected"] as const;
/** Ended: no node works on the entry and nothing changes it except an explicit user move (retry, review). */
export const terminalStatuses = [...finishedStatuses, ...decidedStatuses, "failed", "canceled"] as const;
/** Not ended: waiting or being written (or rewritten). */
export const unfinishedStatuses = [...waitingStatuses, ...workingStatuses, ...revisionStatuses] as const;
export const entryStatuses = [...unfinishedStatuses, ...terminalStatuses] as const;
/**
 * What a node that holds the entry's checkpoints resumes when the entry is assigned to it again:
 * unfinished work, and a failed entry (a retry: transitions.ts, failed -> queued).
 */
export const resumableStatuses = [...unfinishedStatuses, "failed"] as const;

export type WorkingStatus = (typeof workingStatuses)[number];
export type RevisionStatus = (typeof revisionStatuses)[number];
/** What a node's progress report may say: a pipeline step, or revising. */
export type ReportedStatus = WorkingStatus | RevisionStatus;
export type FinishedStatus = (typeof finishedStatuses)[number];
export type DecidedStatus = (typeof decidedStatuses)[number];
export type TerminalStatus = (typeof terminalStatuses)[number];
export type UnfinishedStatus = (typeof unfinishedStatuses)[number];
export type EntryStatus = (typeof entryStatuses)[number];
export type ResumableStatus = (typeof resumableStatuses)[number];

export const EntryStatus = z.enum(entryStatuses);
export const WorkingStatus = z.enum(workingStatuses);
export const ReportedStatus = z.enum([...workingStatuses, ...revisionStatuses]);
export const FinishedStatus = z.enum(finishedStatuses);

const member =
  <S extends string>(list: readonly S[]) =>
  (status: string): status is S =>
    (list as readonly string[]).includes(status);

export const isEntryStatus = member(entryStatuses);
/** Ended: succeeded, needs_review, approved, rejected, failed or canceled. */
export const isTerminal = member(terminalStatuses);
/** Waiting for a node or being written. */
export const isUnfinished = member(unfinishedStatuses);
export const isWorking = member(workingStatuses);
export const isFinished = member(finishedStatuses);
/** Approved or rejected by a reviewer. */
export const isDecided = member(decidedStatuses);
export const isResumable = member(resumableStatuses);

/** A status read back from storage, checked: an unknown value is a bug or a newer schema, never guessed at. */
export function entryStatus(value: string): EntryStatus {
  if (!isEntryStatus(value)) throw new Error(`unknown entry status "${value}"`);
  return value;
}
