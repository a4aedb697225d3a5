// GPU node registration, heartbeats and leases (signed with the node secret), and the node list for
// operators (an API key with the "admin" scope).
import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { LeaseRequest, NodeHeartbeat, type LeaseResponse, type NodeHeartbeatAck } from "../../shared/api/node-protocol.ts";
import { requireScope } from "../auth.ts";
import { runInBackground, type EdgeContext, type EdgeEnv } from "../context.ts";
import { assignedCount } from "../entries/reads.ts";
import { ApiError } from "../errors.ts";
import { dispatchPending } from "../nodes/dispatch.ts";
import { leaseEntries } from "../nodes/lease.ts";
import { ensureStaticNode, listNodes, nodeHealthy, nodeView, recordHeartbeat, staticNodeId } from "../nodes/registry.ts";
import { gpuNodes } from "../db/schema.ts";
import { signedBody } from "./node-signed.ts";

async function heartbeat(c: EdgeContext) {
  const hb = await signedBody(c, NodeHeartbeat, "heartbeat");
  if (hb.node_id === staticNodeId) {
    throw new ApiError(422, "invalid_request", "Invalid node_id", [{ field: "node_id", message: `"${staticNodeId}" is reserved for OPUS_GPU_NODE_URL` }]);
  }
  const { config } = c.var.deps;
  const { node, stop } = await recordHeartbeat(c.var.deps.db, config, hb);
  // A push node with room: give it waiting entries now rather than at the next scheduled run.
  if (node.url && hb.active < hb.capacity) runInBackground(c, dispatchPending(c.var.deps));
  const ack: NodeHeartbeatAck = { heartbeat_interval_ms: config.nodes.heartbeatMs, stop };
  return c.json(ack);
}

export const nodeRoutes = new Hono<EdgeEnv>()
  .post("/register", heartbeat)
  .post("/heartbeat", heartbeat)
  .post("/lease", async (c) => {
    const req = await signedBody(c, LeaseRequest, "lease request");
    const { db, config } = c.var.deps;
    const node = await db.select().from(gpuNodes).where(eq(gpuNodes.id, req.node_id)).get();
    if (!node || !nodeHealthy(node, Date.now(), config)) {
      throw new ApiError(409, "heartbeat_first", `Node ${req.node_id} is not registered or its heartbeats stopped: POST /v1/node/heartbeat first`);
    }
    const leased = await leaseEntries(c.var.deps, node, req.max);
    const res: LeaseResponse = { entries: leased, lease_ttl_ms: config.nodes.staleMs };
    return c.json(res);
  });

export const nodeAdminRoutes = new Hono<EdgeEnv>().get("/", async (c) => {
  requireScope(c.var.apiKey, "admin");
  const { db, config } = c.var.deps;
  await ensureStaticNode(db, config);
  const now = Date.now();
  const nodes = await listNodes(db);
  const data = await Promise.all(nodes.filter((n) => n.mode !== "static" || config.gpuNodeUrl).map(async (n) => nodeView(n, now, config, await assignedCount(db, n.id))));
  // One list shape everywhere: `data` and `next_cursor` (null: every node is on one page).
  return c.json({ data, next_cursor: null });
});
