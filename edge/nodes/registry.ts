// The GPU nodes the edge knows: registered ones (their heartbeats keep them healthy, report their
// capacity and extend the leases of the entries they hold) and the statically configured
// OPUS_GPU_NODE_URL, id "static", which reports its capacity in its answers to assignments.
import { eq, isNotNull, sql } from "drizzle-orm";
import type { AssignmentAck, NodeHeartbeat } from "../../shared/api/node-protocol.ts";
import type { EdgeConfig } from "../config.ts";
import type { EdgeDb } from "../db/client.ts";
import { gpuNodes } from "../db/schema.ts";
import { assignedCounts, entriesToStop } from "../entries/reads.ts";
import { extendLeases } from "../entries/store.ts";
import type { NodeRow } from "./breaker.ts";

export const staticNodeId = "static";

// Per isolate: the static node's row is written once per configuration, not on every dispatch.
const staticRecorded = new WeakMap<EdgeDb, string>();

/**
 * Makes sure OPUS_GPU_NODE_URL has its row (for its circuit breaker and its capacity). Until the
 * node has said what it runs at once, the edge sends it OPUS_GPU_NODE_CAPACITY entries, or one.
 */
export async function ensureStaticNode(db: EdgeDb, config: EdgeConfig): Promise<void> {
  if (!config.gpuNodeUrl) return;
  const signature = config.gpuNodeUrl;
  if (staticRecorded.get(db) === signature) return;
  const now = Date.now();
  await db
    .insert(gpuNodes)
    .values({ id: staticNodeId, url: config.gpuNodeUrl, mode: "static", capacity: config.gpuNodeCapacity ?? 1, registeredAt: now })
    .onConflictDoUpdate({ target: gpuNodes.id, set: { url: config.gpuNodeUrl, mode: "static" } });
  staticRecorded.set(db, signature);
}

/** The entries the edge lets a node hold at once: what it reports, capped by OPUS_GPU_NODE_CAPACITY for the static node. */
export function nodeCapacity(node: Pick<NodeRow, "id" | "capacity">, config: EdgeConfig): number {
  return node.id === staticNodeId && config.gpuNodeCapacity !== undefined ? Math.min(node.capacity, config.gpuNodeCapacity) : node.capacity;
}

/** Records the load a node reported in its answer to an assignment (its capacity: its engine's sequences). */
export async function recordReportedLoad(db: EdgeDb, nodeId: string, ack: Pick<AssignmentAck, "capacity" | "active">): Promise<void> {
  if (ack.capacity === undefined && ack.active === undefined) return;
  await db
    .update(gpuNodes)
    .set({ ...(ack.capacity !== undefined ? { capacity: ack.capacity } : {}), ...(ack.active !== undefined ? { active: ack.active } : {}) })
    .where(eq(gpuNodes.id, nodeId));
}

/** Healthy: the static node always (its breaker guards it), a registered node while it heartbeats. */
export function nodeHealthy(node: NodeRow, now: number, config: EdgeConfig): boolean {
  if (node.mode === "static") return node.id === staticNodeId && config.gpuNodeUrl !== undefined;
  return node.lastHeartbeatAt !== null && now - node.lastHeartbeatAt <= config.nodes.staleMs;
}

/**
 * Records a heartbeat (the first one registers the node). Extends the leases of the entries the node
 * says it holds, and returns those it should stop: ended here, or now assigned to another node.
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
    // The node's own figures (tokens/s, VRAM, model pool) for the operations dashboard.
    info: hb.model || hb.stats ? { ...(hb.model ? { model: hb.model } : {}), ...(hb.stats ? { stats: hb.stats } : {}) } : null,
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
  await extendLeases(db, hb.node_id, hb.entries, now + config.nodes.staleMs);
  return { node, stop: await entriesToStop(db, hb.node_id, hb.entries), wasStale };
}

export async function listNodes(db: EdgeDb): Promise<NodeRow[]> {
  return db.select().from(gpuNodes).orderBy(gpuNodes.id).all();
}

export type Candidate = NodeRow & { assigned: number };

/** Nodes that can take pushed entries now, with their capacity and the unfinished entries assigned to each. */
export async function pushCandidates(db: EdgeDb, config: EdgeConfig, now: number): Promise<Candidate[]> {
  await ensureStaticNode(db, config);
  const [rows, assigned] = await Promise.all([db.select().from(gpuNodes).where(isNotNull(gpuNodes.url)).all(), assignedCounts(db)]);
  return rows
    .filter((n) => nodeHealthy(n, now, config))
    .map((n) => ({ ...n, capacity: nodeCapacity(n, config), assigned: assigned.get(n.id) ?? 0 }));
}

export function nodeView(node: NodeRow, now: number, config: EdgeConfig, assigned?: number) {
  return {
    id: node.id,
    mode: node.mode,
    url: node.url,
    healthy: nodeHealthy(node, now, config),
    capacity: nodeCapacity(node, config),
    active: node.active,
    queued: node.queued,
    ...(assigned !== undefined ? { assigned } : {}),
    last_heartbeat_at: node.lastHeartbeatAt === null ? null : new Date(node.lastHeartbeatAt).toISOString(),
    breaker: { state: node.breakerState, failures: node.breakerFailures, last_error: node.lastError },
    info: node.info ?? {},
  };
}
