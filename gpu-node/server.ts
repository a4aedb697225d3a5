// The GPU node's HTTP API. Every /v1 request must carry a valid signature made with the secret the
// node shares with the edge. Errors have the one shape both servers answer with (shared/api/errors.ts).
import { Hono, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { z } from "zod";
import { errorBody, fieldErrors } from "../shared/api/errors.ts";
import { EntryAssignment, nodeRoutes, type AssignmentAck } from "../shared/api/node-protocol.ts";
import { verifySignature } from "../shared/api/signing.ts";
import { CallbackRefused, NoEdgeConfigured } from "./edge-link/callbacks.ts";
import type { EntryRunner } from "./entries/runner.ts";
import { stderrLog, type Log } from "./telemetry/log.ts";

type NodeEnv = { Variables: { body: unknown } };

/** Verifies the signature over the raw body and parses it as JSON for the handler. */
export function signedJson(secret: string): MiddlewareHandler<NodeEnv> {
  return async (c, next) => {
    const raw = await c.req.text();
    if (!verifySignature(secret, raw, c.req.raw.headers)) {
      return c.json(errorBody("bad_signature", "Missing or invalid request signature"), 401);
    }
    try {
      c.set("body", raw.length > 0 ? JSON.parse(raw) : {});
    } catch {
      return c.json(errorBody("bad_request", "Malformed JSON in request body"), 400);
    }
    await next();
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HTTPException(422, { res: Response.json(errorBody("invalid_request", "Invalid request body", fieldErrors(result.error)), { status: 422 }) });
  }
  return result.data;
}

/** `log`: the node's logger (gpu-node/telemetry/log.ts), told of unexpected errors; default stderr. */
export type NodeAppOptions = { secret: string; runner: EntryRunner; routes?: Hono[]; log?: Log };

export function createNodeApp(opts: NodeAppOptions): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>();
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    if (err instanceof CallbackRefused) return c.json(errorBody("invalid_request", "Invalid request body", [{ field: err.field, message: err.message }]), 422);
    if (err instanceof NoEdgeConfigured) return c.json(errorBody("no_edge", err.message), 409);
    (opts.log ?? stderrLog)("error", "unhandled error in a request", { method: c.req.method, path: c.req.path, error: err });
    return c.json(errorBody("internal_error", "Internal error"), 500);
  });
  app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));
  app.use("/v1/*", signedJson(opts.secret));

  app.post(nodeRoutes.assign, async (c) => {
    const assignment = parse(EntryAssignment, c.var.body);
    const outcome = await opts.runner.assign(assignment);
    const ack: AssignmentAck = { id: assignment.id, outcome, capacity: opts.runner.capacity, active: opts.runner.active };
    return c.json(ack, outcome === "already running" || outcome === "already ended" ? 200 : 202);
  });
  app.post(`${nodeRoutes.assign}/:id/cancel`, (c) => c.json({ id: c.req.param("id"), canceled: opts.runner.cancel(c.req.param("id")) }));
  for (const routes of opts.routes ?? []) app.route("/", routes);
  if (!(opts.routes ?? []).length) app.get("/health", (c) => c.json({ status: "ok", active_entries: opts.runner.active }));
  return app;
}
