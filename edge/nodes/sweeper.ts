// The sweeper: finds unfinished entries whose lease ran out (their node stopped heartbeating and
// sent no events) and gives them back to the queue, so the dispatcher sends them to a healthy node.
// The statically configured node sends no heartbeats: its entries are re-sent to it instead (the
// node answers "already running" when all is well), and released only when it cannot be reached.
import type { EdgeDeps } from "../context.ts";
import { expiredLeases } from "../entries/reads.ts";
import { releaseEntry, waitingStep } from "../entries/store.ts";
import { confirmAssignment } from "./dispatch.ts";
import { staticNodeId } from "./registry.ts";

export type SweepResult = { released: string[]; confirmed: string[] };

export async function sweepExpiredLeases(deps: EdgeDeps, now = Date.now(), limit = 50): Promise<SweepResult> {
  const expired = await expiredLeases(deps.db, now, limit);
  const result: SweepResult = { released: [], confirmed: [] };
  for (const row of expired) {
    const nodeId = row.nodeId!;
    if (nodeId === staticNodeId && row.nodeUrl) {
      if (await confirmAssignment(deps, row)) result.confirmed.push(row.id);
      else result.released.push(row.id); // confirmAssignment released it already
      continue;
    }
    // A plain step for the user; which node went silent is for the operator's log.
    if (await releaseEntry(deps.db, row.id, nodeId, waitingStep)) {
      console.warn(JSON.stringify({ msg: "lease expired: entry back in the queue", entry_id: row.id, node_id: nodeId }));
      result.released.push(row.id);
    }
  }
  return result;
}
