// Pull mode: a node behind NAT asks for work instead of being called. Each job it receives is
// claimed for it with a lease (the same claim as a push dispatch); its heartbeats and events extend
// the lease, and the sweeper gives the job to someone else if they stop.
import { and, asc, isNull, notInArray } from "drizzle-orm";
import { terminalStatuses } from "../../shared/api/entry.ts";
import type { NodeJob } from "../../shared/api/node-protocol.ts";
import type { EdgeDeps } from "../context.ts";
import { entries } from "../db/schema.ts";
import type { NodeRow } from "./breaker.ts";
import { claimEntry, jobFor } from "./dispatch.ts";
import { assignedCount } from "./registry.ts";

export async function leaseJobs(deps: EdgeDeps, node: NodeRow, max: number, base: string): Promise<NodeJob[]> {
  const { db, config } = deps;
  const room = Math.min(max, node.capacity - (await assignedCount(db, node.id)));
  if (room <= 0) return [];
  const waiting = await db
    .select({ id: entries.id })
    .from(entries)
    .where(and(isNull(entries.nodeId), notInArray(entries.status, [...terminalStatuses])))
    .orderBy(asc(entries.id))
    .limit(room * 2)
    .all();
  const jobs: NodeJob[] = [];
  for (const { id } of waiting) {
    if (jobs.length >= room) break;
    const claimed = await claimEntry(db, config, id, node.id, null, Date.now());
    if (claimed) jobs.push(jobFor(claimed, base, node.id));
  }
  return jobs;
}
