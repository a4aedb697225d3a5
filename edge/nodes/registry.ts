// The GPU nodes the edge knows: registered ones (their heartbeats keep them healthy and extend the
// leases of the jobs they run) and the statically configured OPUS_GPU_NODE_URL, id "static".
import { and, eq, inArray, isNotNull, notInArray, or, sql } from "drizzle-orm";
import { terminalStatuses } from "../../shared/api/entry.ts";
import type { NodeHeartbeat } from "../../shared/api/node-protocol.ts";
import type { EdgeConfig } from "../config.ts";
import type { EdgeDb } from "../db/client.ts";
import { entries, gpuNodes } from "../db/schema.ts";
import type { NodeRow } from "./breaker.ts";

export const staticNodeId = "static";

// Per isolate: the static node's row is written once per configuration, not on every dispatch.
const staticRecorded = new WeakMap<EdgeDb, string>();

/** Makes sure OPUS_GPU_NODE_URL has its row (for its circuit breaker). */
export async function ensureStaticNode(db: EdgeDb, config: EdgeConfig): Promise<void> {
  if (!config.gpuNodeUrl) return;
  const signature = `${config.gpuNodeUrl} ${config.gpuNodeCapacity}`;
  if (staticRecorded.get(db) === signature) return;
  const now = Date.now();
  await db
    .insert(gpuNodes)
    .values({ id: staticNodeId, url: config.gpuNodeUrl, mode: "static", capacity: config.gpuNodeCapacity, registeredAt: now })
    .onConflictDoUpdate({ target: gpuNodes.id, set: { url: config.gpuNodeUrl, capacity: config.gpuNodeCapacity, mode: "static" } });
  staticRecorded.set(db, signature);
}

/** Healthy: the static node always (its breaker guards it), a registered node while it heartbeats. */
export function nodeHealthy(node: NodeRow, now: number, config: EdgeConfig): boolean {
  if (node.mode === "static") return node.id === staticNodeId && config.gpuNodeUrl !== undefined;
  return node.lastHeartbeatAt !== null && now - node.lastHeartbeatAt <= config.nodes.staleMs;
}

const active = notInArray(entries.status, [...terminalStatuses]);

/**
 * Records a heartbeat (the first one registers the node). Extends the leases of the jobs the node
 * says it runs, and returns those it should stop: canceled, or now assigned to another node.
 */
export async function recordHeartbeat(db: EdgeDb, config: EdgeConfig, hb: NodeHeartbeat, now = Date.now()): Promise<{ node: NodeRow; stop: string[]; wasStale: boolean }> {
  const before = await db.select().from(gpuNodes).where(eq(gpuNodes.id, hb.node_id)).get();
  const wasStale = !before || before.lastHeartbeatAt === null || now - before.lastHeartbeatAt > config.nodes.staleMs;
  const fields = {
    url: hb.url ?? null,
    mode: hb.url ? "push" : "pull",
    capacity: hb.capacity,
    active: hb.active,
    queued: hb.queued,
    info: hb.model ? { model: hb.model } : null,
    lastHeartbeatAt: now,
  };
  const node = (await db
    .insert(gpuNodes)
    .values({ id: hb.node_id, registeredAt: now, ...fields })
    .onConflictDoUpdate({
      target: gpuNodes.id,
      // A node that comes back after going silent gets an immediate trial call if its breaker is open.
      set: wasStale ? { ...fields, breakerOpenedAt: sql`CASE WHEN ${gpuNodes.breakerState} = 'closed' THEN ${gpuNodes.breakerOpenedAt} ELSE 0 END` } : fields,
    })
    .returning()
    .get())!;
  let stop: string[] = [];
  if (hb.jobs.length > 0) {
    const mine = and(inArray(entries.id, hb.jobs), eq(entries.nodeId, hb.node_id), active);
    await db.update(entries).set({ leaseExpiresAt: now + config.nodes.staleMs }).where(mine);
    const foreign = await db
      .select({ id: entries.id })
      .from(entries)
      .where(and(inArray(entries.id, hb.jobs), or(eq(entries.status, "canceled"), and(isNotNull(entries.nodeId), sql`${entries.nodeId} <> ${hb.node_id}`))))
      .all();
    stop = foreign.map((r) => r.id);
  }
  return { node, stop, wasStale };
}

export async function listNodes(db: EdgeDb): Promise<NodeRow[]> {
  return db.select().from(gpuNodes).orderBy(gpuNodes.id).all();
}

export type Candidate = NodeRow & { assigned: number };

/** Nodes that can take pushed jobs now, with the number of unfinished jobs assigned to each. */
export async function pushCandidates(db: EdgeDb, config: EdgeConfig, now: number): Promise<Candidate[]> {
  await ensureStaticNode(db, config);
  const rows = await db
    .select({
      node: gpuNodes,
      // Spelled out: inside the subquery a bare "id" would resolve to entries.id.
      assigned: sql<number>`(SELECT count(*) FROM entries e WHERE e.node_id = "gpu_nodes"."id" AND e.status NOT IN ('succeeded', 'needs_review', 'failed', 'canceled'))`,
    })
    .from(gpuNodes)
    .where(isNotNull(gpuNodes.url))
    .all();
  return rows.map((r) => ({ ...r.node, assigned: Number(r.assigned) })).filter((n) => nodeHealthy(n, now, config));
}

export async function assignedCount(db: EdgeDb, nodeId: string): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(entries)
    .where(and(eq(entries.nodeId, nodeId), active))
    .get();
  return Number(row?.n ?? 0);
}

export function nodeView(node: NodeRow, now: number, config: EdgeConfig, assigned?: number) {
  return {
    id: node.id,
    mode: node.mode,
    url: node.url,
    healthy: nodeHealthy(node, now, config),
    capacity: node.capacity,
    active: node.active,
    queued: node.queued,
    ...(assigned !== undefined ? { assigned } : {}),
    last_heartbeat_at: node.lastHeartbeatAt === null ? null : new Date(node.lastHeartbeatAt).toISOString(),
    breaker: { state: node.breakerState, failures: node.breakerFailures, last_error: node.lastError },
    info: node.info ?? {},
  };
}
