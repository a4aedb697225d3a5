// Events from GPU nodes about the entries they write. Signed with the shared node secret; the answer
// tells the node whether the user canceled the entry meanwhile, or whether it now belongs to another
// node (`?node=` in the callback URL names the assignee the edge gave it to).
import { Hono } from "hono";
import { NodeEvent, nodeIdPattern, type NodeEventAck } from "../../shared/api/node-protocol.ts";
import { isTerminal } from "../../shared/lifecycle/index.ts";
import { runInBackground, type EdgeEnv } from "../context.ts";
import { validateFinishedAtEdge } from "../entries/edge-validation.ts";
import { findEntryById } from "../entries/reads.ts";
import { applyNodeEvent, type ArrivingRevision } from "../entries/store.ts";
import { checkArrivingRevision } from "../review/arrival.ts";
import { ApiError, shownId } from "../errors.ts";
import { dispatchPending } from "../nodes/dispatch.ts";
import { deliverDue } from "../webhooks/deliver.ts";
import { signedBody } from "./node-signed.ts";
import { logEntryEvent, SpanKind, startEdgeSpan } from "../tracing/spans.ts";

/** Early retries (the schedule's 5 s) run in the same background task instead of waiting for the cron. */
export const followUpMs = 10_000;

export const nodeEventRoutes = new Hono<EdgeEnv>().post("/entries/:id/events", async (c) => {
  let event = await signedBody(c, NodeEvent, "node event");
  const fromNode = c.req.query("node");
  if (fromNode !== undefined && !nodeIdPattern.test(fromNode)) {
    throw new ApiError(422, "invalid_request", "Invalid node", [{ field: "node", message: "not a node id" }]);
  }
  const { db, config } = c.var.deps;
  const id = c.req.param("id");
  let revision: ArrivingRevision | undefined;
  if (event.type === "finished") {
    const current = await findEntryById(db, id);
    // A revision of chosen sections: checked against its request (untouched sections keep their bytes).
    const arriving = current?.status === "revising" ? await checkArrivingRevision(db, current, event) : undefined;
    if (arriving) ({ event, revision } = arriving);
    if (current && !isTerminal(current.status)) event = await validateFinishedAtEdge(event, current.tier);
  }
  // The node sends the entry's traceparent with its events: the edge's span for each joins the entry's trace.
  const span = startEdgeSpan(c.var.deps.tracer, `node event ${event.type}`, c.req.header("traceparent"), { "opus.entry.id": id, "opus.event.type": event.type, "opus.event.seq": event.seq, "opus.status": event.status, ...(fromNode ? { "opus.node.id": fromNode } : {}) }, SpanKind.SERVER);
  const { applied, row, reassigned, eventId } = await applyNodeEvent(db, id, event, {
    revision,
    fromNode,
    leaseMs: config.nodes.staleMs,
    progressIntervalMs: config.webhooks.progressIntervalMs,
  }).finally(() => span.end());
  if (event.type !== "progress" && applied) logEntryEvent(`entry ${event.status}`, { entry_id: id, trace_id: span.traceId, node_id: fromNode ?? null });
  if (!row) throw new ApiError(404, "entry_not_found", `No entry ${shownId(id)}`);
  if (eventId) runInBackground(c, deliverDue(db, config, { eventId, followUpMs }));
  // An ended entry frees room on its node: hand out the next waiting one.
  if (applied && isTerminal(row.status)) runInBackground(c, dispatchPending(c.var.deps));
  const ack: NodeEventAck = { applied, canceled: row.status === "canceled", ...(reassigned ? { reassigned: true } : {}) };
  return c.json(ack);
});
