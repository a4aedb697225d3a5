// Every way an entry's status can move, in one table. The edge's store checks each change it makes
// against it (a move not in the table is refused), and a test drives every row. Staying in the same
// unfinished status (a progress report) is not a move and always allowed.
//
// The review moves (issue 12) are the last rows: a reviewer's decision on a finished entry (a hand
// edit keeps needs_review, or brings a succeeded entry to it), and a revision coming back from a node.
import { decidedStatuses, entryStatuses, finishedStatuses, unfinishedStatuses, waitingStatuses, workingStatuses, type EntryStatus, type WorkingStatus } from "./statuses.ts";

/** Who makes a move: a GPU node's report, the edge on its own, or a user's request. */
export type Actor = "node" | "edge" | "user";

export type Transition = {
  readonly from: readonly EntryStatus[];
  readonly to: readonly EntryStatus[];
  readonly by: Actor;
  readonly why: string;
};

/** The working steps after `step` in pipeline order (a node reports where it is, so a report may skip steps). */
const after = (step: WorkingStatus): WorkingStatus[] => workingStatuses.slice(workingStatuses.indexOf(step) + 1);
const resumable = workingStatuses.filter((s) => s !== "blueprint");
/** Unfinished but not a revision: a revision comes back to needs_review only (last rows). */
const writingStatuses = [...waitingStatuses, ...workingStatuses];

export const transitions: readonly Transition[] = [
  // from                               to                              by       why
  { from: ["queued"],                   to: ["blueprint"],              by: "node", why: "a node starts writing the entry" },
  { from: ["queued"],                   to: resumable,                  by: "node", why: "a node resumes the entry from its checkpoints (after a retry, or adopting it again)" },
  { from: ["blueprint"],                to: after("blueprint"),         by: "node", why: "the plan is written; later steps when the edge missed reports in between" },
  { from: ["sections"],                 to: after("sections"),          by: "node", why: "every section is written" },
  { from: ["validating"],               to: after("validating"),        by: "node", why: "issues to correct (correcting), or none the node can fix (assembling)" },
  { from: ["correcting"],               to: ["validating", ...after("correcting")], by: "node", why: "a correction round is done: validate again" },
  { from: ["assembling"],               to: after("assembling"),        by: "node", why: "the entry is assembled: score it" },
  { from: resumable,                    to: ["blueprint"],              by: "node", why: "a node without the entry's checkpoints starts it over" },
  { from: writingStatuses,              to: finishedStatuses,           by: "node", why: "finished: the quality gate's verdict (needs_review also when the edge's validators find errors)" },
  { from: unfinishedStatuses,           to: ["failed"],                 by: "node", why: "the pipeline failed on the node" },
  { from: unfinishedStatuses,           to: ["failed"],                 by: "edge", why: "the node lost the entry's result" },
  { from: unfinishedStatuses,           to: ["canceled"],               by: "user", why: "POST /v1/entries/:id/cancel" },
  { from: unfinishedStatuses,           to: ["canceled"],               by: "node", why: "the node stopped the entry on a cancel it received" },
  { from: ["failed"],                   to: ["queued"],                 by: "user", why: "POST /v1/entries/:id/retry: a node resumes it from its checkpoints" },
  // Review (issue 12): POST /v1/entries/:id/decisions, on the revision the reviewer read.
  { from: finishedStatuses,             to: decidedStatuses,            by: "user", why: "a reviewer approves or rejects the entry (final)" },
  { from: finishedStatuses,             to: ["revising"],               by: "user", why: "a reviewer sends chosen sections back with instructions: a GPU node rewrites them" },
  { from: ["succeeded"],                to: ["needs_review"],           by: "user", why: "a reviewer edits paragraphs by hand: the new revision awaits a decision" },
  { from: ["revising"],                 to: ["needs_review"],           by: "node", why: "the revision came back (rewritten, validated, scored): a reviewer decides on it" },
  { from: ["failed"],                   to: ["revising"],               by: "user", why: "POST /v1/entries/:id/retry of an entry that failed in a revision: the revision resumes" },
];

/** The row that allows `from -> to` by `by`, if any. */
export function findTransition(from: EntryStatus, to: EntryStatus, by: Actor): Transition | undefined {
  return transitions.find((t) => t.by === by && t.from.includes(from) && t.to.includes(to));
}

/** True when `by` may move an entry from `from` to `to` (or keep it in the same unfinished status). */
export function canMove(from: EntryStatus, to: EntryStatus, by: Actor): boolean {
  if (from === to) return (unfinishedStatuses as readonly string[]).includes(from);
  return findTransition(from, to, by) !== undefined;
}

export class TransitionRefused extends Error {
  constructor(
    readonly from: EntryStatus,
    readonly to: EntryStatus,
    readonly by: Actor,
  ) {
    super(`an entry cannot move from ${from} to ${to} (by ${by}): not in the lifecycle table`);
  }
}

/** Throws TransitionRefused unless the table allows the move. */
export function assertMove(from: EntryStatus, to: EntryStatus, by: Actor): void {
  if (!canMove(from, to, by)) throw new TransitionRefused(from, to, by);
}

/** Every (from, to, by) the table allows, expanded: for tests and documentation. */
export function allMoves(): { from: EntryStatus; to: EntryStatus; by: Actor; why: string }[] {
  const out: { from: EntryStatus; to: EntryStatus; by: Actor; why: string }[] = [];
  for (const t of transitions) for (const from of t.from) for (const to of t.to) if (from !== to) out.push({ from, to, by: t.by, why: t.why });
  return out;
}

// Statuses the table never mentions would be dead ends or unreachable: caught at load, not in review.
for (const status of entryStatuses) {
  if (!transitions.some((t) => t.from.includes(status) || t.to.includes(status))) throw new Error(`lifecycle: status ${status} has no transition`);
}
