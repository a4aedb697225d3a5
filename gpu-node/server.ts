// The GPU node's HTTP API. Every /v1 request must carry a valid signature made with the secret the
// node shares with the edge.
import { Hono, type MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { z } from "zod";
import { NodeJob } from "../shared/api/node-protocol.ts";
import { verifySignature } from "../shared/api/signing.ts";
import type { JobRunner } from "./jobs/runner.ts";

type NodeEnv = { Variables: { body: unknown } };

const error = (code: string, message: string, fields?: { field: string; message: string }[]) => ({
  error: fields ? { code, message, fields } : { code, message },
});

/** Verifies the signature over the raw body and parses it as JSON for the handler. */
export function signedJson(secret: string): MiddlewareHandler<NodeEnv> {
  return async (c, next) => {
    const raw = await c.req.text();
    if (!verifySignature(secret, raw, c.req.raw.headers)) {
      return c.json(error("bad_signature", "Missing or invalid request signature"), 401);
    }
    try {
      c.set("body", raw.length > 0 ? JSON.parse(raw) : {});
    } catch {
      return c.json(error("bad_request", "Malformed JSON in request body"), 400);
    }
    await next();
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const fields = result.error.issues.map((i) => ({ field: i.path.map(String).join(".") || "(body)", message: i.message }));
    throw new HTTPException(422, { res: Response.json(error("invalid_request", "Invalid request body", fields), { status: 422 }) });
  }
  return result.data;
}

export type NodeAppOptions = { secret: string; runner: JobRunner; routes?: Hono[] };

export function createNodeApp(opts: NodeAppOptions): Hono<NodeEnv> {
  const app = new Hono<NodeEnv>();
  app.onError((err, c) => {
    if (err instanceof HTTPException) return err.getResponse();
    console.error("gpu-node error", err);
    return c.json(error("internal_error", "Internal error"), 500);
  });
  app.notFound((c) => c.json(error("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404));
  app.use("/v1/*", signedJson(opts.secret));

  app.post("/v1/jobs", async (c) => {
    const job = parse(NodeJob, c.var.body);
    const outcome = await opts.runner.start(job);
    return c.json({ id: job.id, outcome }, outcome === "started" || outcome === "resumed" ? 202 : 200);
  });
  app.post("/v1/jobs/:id/cancel", (c) => c.json({ id: c.req.param("id"), canceled: opts.runner.cancel(c.req.param("id")) }));
  for (const routes of opts.routes ?? []) app.route("/", routes);
  if (!(opts.routes ?? []).length) app.get("/health", (c) => c.json({ status: "ok", active_jobs: opts.runner.active }));
  return app;
}
