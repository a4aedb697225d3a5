// What a GPU node receives with a revising entry's assignment: the revision to start from and the
// reviewer's request (shared/review/assignment.ts). Read at every hand-over (dispatch, lease,
// re-send), so any node can take a revision up, or resume it.
import type { EntryAssignment } from "../../shared/api/node-protocol.ts";
import { RevisionAssignment } from "../../shared/review/assignment.ts";
import type { EdgeDb } from "../db/client.ts";
import type { EntryRow } from "../entries/reads.ts";
import { findRevision, findRevisionRequest } from "./reads.ts";

/** `assignment` with its revision when the entry is revising (else as it is). */
export async function withRevision(db: EdgeDb, row: Pick<EntryRow, "id" | "status" | "revision">, assignment: EntryAssignment): Promise<EntryAssignment> {
  if (row.status !== "revising") return assignment;
  const number = row.revision + 1;
  const [request, base] = await Promise.all([findRevisionRequest(db, row.id, number), findRevision(db, row.id, row.revision)]);
  if (!request || !base) throw new Error(`entry ${row.id} is revising but revision ${number}'s request or its base is missing`);
  const plan = RevisionAssignment.shape.plan.safeParse(base.metadata.plan);
  const seed = typeof base.metadata.seed === "number" ? base.metadata.seed : undefined;
  const revision: RevisionAssignment = {
    number,
    base: base.number,
    title: base.title,
    sections: base.sections,
    ...(plan.success && plan.data ? { plan: plan.data } : {}),
    ...(seed !== undefined ? { seed } : {}),
    requests: request.sections,
  };
  return { ...assignment, revision };
}
