// HTTP routes of the engine (mounted by the GPU node server): readiness and Prometheus metrics, plus the
// mapping of engine errors to HTTP answers that the server reuses for its own generation routes.
import { Hono, type Context, type ErrorHandler } from "hono";
import { errorBody } from "../../shared/api/errors.ts";
import { EngineError, QueueFullError, QueueTimeoutError } from "./errors.ts";
import { stderrLog, type Log } from "../telemetry/log.ts";
import type { Engine } from "./engine.ts";

/** The HTTP answer for an engine error (503 + Retry-After when busy), or null when it is not one. */
export function engineErrorResponse(error: unknown): Response | null {
  if (!(error instanceof EngineError)) return null;
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  if (error instanceof QueueFullError || error instanceof QueueTimeoutError) headers.set("retry-after", String(error.retryAfterSeconds));
  return new Response(JSON.stringify(errorBody(error.code, error.message)), { status: error.httpStatus, headers });
}

/** Hono error handler: engine errors as above, anything else a 500 without internals (told to `log`). */
export function engineErrorHandler(log: Log = stderrLog): ErrorHandler {
  return (error: Error, c: Context) => {
    const mapped = engineErrorResponse(error);
    if (mapped) return mapped;
    log("error", "unhandled error in an engine route", { component: "engine", method: c.req.method, path: c.req.path, error });
    return c.json(errorBody("internal_error", "Internal error"), 500);
  };
}

export const onEngineError: ErrorHandler = engineErrorHandler();

/** `log`: the node's logger (gpu-node/telemetry/log.ts), told of unexpected errors. */
export function engineRoutes(engine: Engine, log: Log = stderrLog): Hono {
  const app = new Hono();
  app.get("/health", async (c) => {
    const health = await engine.health();
    return c.json(health, health.ok ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    const text = await engine.metricsRegistry.metrics();
    return c.body(text, 200, { "content-type": engine.metricsRegistry.contentType });
  });
  app.onError(engineErrorHandler(log));
  return app;
}
