// The sweeper: finds unfinished jobs whose lease ran out (their node stopped heartbeating and sent
// no events) and gives them back to the queue, so the dispatcher sends them to a healthy node. The
// statically configured node sends no heartbeats: its jobs are re-sent to it instead (the node
// answers "already running" when all is well), and released only when it cannot be reached.
import { and, isNotNull, lt, notInArray } from "drizzle-orm";
import { terminalStatuses } from "../../shared/api/entry.ts";
import type { EdgeDeps } from "../context.ts";
import { entries } from "../db/schema.ts";
import { confirmAssignment, releaseEntry } from "./dispatch.ts";
import { staticNodeId } from "./registry.ts";

export type SweepResult = { released: string[]; confirmed: string[] };

export async function sweepExpiredLeases(deps: EdgeDeps, base: string | undefined, now = Date.now(), limit = 50): Promise<SweepResult> {
  const { db } = deps;
  const expired = await db
    .select()
    .from(entries)
    .where(and(notInArray(entries.status, [...terminalStatuses]), isNotNull(entries.nodeId), lt(entries.leaseExpiresAt, now)))
    .limit(limit)
    .all();
  const result: SweepResult = { released: [], confirmed: [] };
  for (const row of expired) {
    const nodeId = row.nodeId!;
    if (nodeId === staticNodeId && row.nodeUrl && base) {
      if (await confirmAssignment(deps, row, base)) {
        result.confirmed.push(row.id);
        continue;
      }
      // confirmAssignment released it already.
      result.released.push(row.id);
      continue;
    }
    if (await releaseEntry(db, row.id, nodeId, `waiting for a GPU node (node ${nodeId} stopped responding)`)) result.released.push(row.id);
  }
  return result;
}
