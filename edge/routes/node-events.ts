// Events from GPU nodes about the jobs they run. Signed with the shared node secret; the answer
// tells the node whether the user canceled the job meanwhile.
import { Hono } from "hono";
import { NodeEvent, type NodeEventAck } from "../../shared/api/node-protocol.ts";
import { verifySignature } from "../../shared/api/signing.ts";
import type { EdgeEnv } from "../context.ts";
import { applyNodeEvent } from "../entries/repository.ts";
import { ApiError, fieldErrors } from "../errors.ts";

export const nodeEventRoutes = new Hono<EdgeEnv>().post("/jobs/:id/events", async (c) => {
  const body = await c.req.text();
  if (!verifySignature(c.var.deps.config.nodeSecret, body, c.req.raw.headers)) {
    throw new ApiError(401, "bad_signature", "Missing or invalid request signature");
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ApiError(400, "bad_request", "Malformed JSON in request body");
  }
  const parsed = NodeEvent.safeParse(json);
  if (!parsed.success) throw new ApiError(422, "invalid_request", "Invalid node event", fieldErrors(parsed.error));
  const id = c.req.param("id");
  const { applied, row } = await applyNodeEvent(c.var.deps.db, id, parsed.data);
  if (!row) throw new ApiError(404, "entry_not_found", `No entry ${id}`);
  const ack: NodeEventAck = { applied, canceled: row.status === "canceled" };
  return c.json(ack);
});
