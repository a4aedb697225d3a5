// Pull mode: a node behind NAT asks for work instead of being called. Each entry it receives is
// claimed for it with a lease (the same claim as a push dispatch); its heartbeats and events extend
// the lease, and the sweeper gives the entry to someone else if they stop.
import type { EntryAssignment } from "../../shared/api/node-protocol.ts";
import type { EdgeDeps } from "../context.ts";
import { assignedCount, waitingEntries } from "../entries/reads.ts";
import { claimEntry } from "../entries/store.ts";
import { withRevision } from "../review/assignment.ts";
import { dispatchSpan } from "../tracing/spans.ts";
import type { NodeRow } from "./breaker.ts";
import { assignmentFor } from "./dispatch.ts";
import { nodeCapacity } from "./registry.ts";

export async function leaseEntries(deps: EdgeDeps, node: NodeRow, max: number): Promise<EntryAssignment[]> {
  const { db, config } = deps;
  const capacity = nodeCapacity(node, config);
  const room = Math.min(max, capacity - (await assignedCount(db, node.id)));
  if (room <= 0) return [];
  const waiting = await waitingEntries(db, { limit: room * 2 });
  const leased: EntryAssignment[] = [];
  for (const { id } of waiting) {
    if (leased.length >= room) break;
    const claimed = await claimEntry(db, id, { id: node.id, url: null, capacity }, config.nodes.staleMs);
    if (!claimed) continue;
    const span = dispatchSpan(deps.tracer, claimed, node.id, "pull");
    leased.push(await withRevision(db, claimed, { ...assignmentFor(claimed, deps.publicUrl, node.id), traceparent: span.traceparent }));
    span.end();
  }
  return leased;
}
