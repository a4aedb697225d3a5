// Events from GPU nodes about the jobs they run. Signed with the shared node secret; the answer
// tells the node whether the user canceled the job meanwhile, or whether it now belongs to another
// node (`?node=` in the callback URL names the assignee the edge gave it to).
import { Hono } from "hono";
import { isTerminal, type EntryStatus } from "../../shared/api/entry.ts";
import { NodeEvent, nodeIdPattern, type NodeEventAck } from "../../shared/api/node-protocol.ts";
import { publicBase, runInBackground, type EdgeEnv } from "../context.ts";
import { validateFinishedAtEdge } from "../entries/edge-validation.ts";
import { applyNodeEvent, findEntryById } from "../entries/repository.ts";
import { ApiError, shownId } from "../errors.ts";
import { dispatchPending } from "../nodes/dispatch.ts";
import { deliverDue } from "../webhooks/deliver.ts";
import { signedBody } from "./node-signed.ts";

/** Early retries (the schedule's 5 s) run in the same background task instead of waiting for the cron. */
export const followUpMs = 10_000;

export const nodeEventRoutes = new Hono<EdgeEnv>().post("/jobs/:id/events", async (c) => {
  let event = await signedBody(c, NodeEvent, "node event");
  const fromNode = c.req.query("node");
  if (fromNode !== undefined && !nodeIdPattern.test(fromNode)) {
    throw new ApiError(422, "invalid_request", "Invalid node", [{ field: "node", message: "not a node id" }]);
  }
  const { db, config } = c.var.deps;
  const id = c.req.param("id");
  if (event.type === "finished") {
    const current = await findEntryById(db, id);
    if (current && !isTerminal(current.status as EntryStatus)) event = await validateFinishedAtEdge(event, current.tier as "S" | "A" | "B");
  }
  const { applied, row, reassigned, eventId } = await applyNodeEvent(db, id, event, {
    fromNode,
    leaseMs: config.nodes.staleMs,
    progressIntervalMs: config.webhooks.progressIntervalMs,
  });
  if (!row) throw new ApiError(404, "entry_not_found", `No entry ${shownId(id)}`);
  if (eventId) runInBackground(c, deliverDue(db, config, { eventId, followUpMs }));
  // A finished job frees room on its node: hand out the next waiting one.
  if (applied && isTerminal(row.status as EntryStatus)) runInBackground(c, dispatchPending(c.var.deps, publicBase(c)));
  const ack: NodeEventAck = { applied, canceled: row.status === "canceled", ...(reassigned ? { reassigned: true } : {}) };
  return c.json(ack);
});
