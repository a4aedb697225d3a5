// The edge API, independent of its runtime: worker.ts and node.ts each supply the database and the
// settings through `resolveDeps`.
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requireKey } from "./auth.ts";
import type { EdgeDeps, EdgeEnv } from "./context.ts";
import { ApiError, notFound, onError } from "./errors.ts";
import { rateLimit } from "./rate-limit.ts";
import { entriesRoutes } from "./routes/entries.ts";
import { healthRoutes } from "./routes/health.ts";
import { lintRoutes, maxLintBytes } from "./routes/lint.ts";
import { nodeEventRoutes } from "./routes/node-events.ts";
import { opsApiRoutes } from "./ops/routes.tsx";
import { portalRoutes } from "./portal/routes.tsx";
import { nodeAdminRoutes, nodeRoutes } from "./routes/nodes.ts";
import { docsRoutes } from "./openapi/serve.tsx";
import { auditRoutes, reviewRoutes } from "./routes/review.ts";
import { webhookRoutes } from "./routes/webhooks.ts";

export const maxBodyBytes = 64 * 1024;
/** Finished entries arrive from GPU nodes in one event: allow them far more room than users. */
export const maxNodeEventBytes = 8 * 1024 * 1024;

/** How much of an oversized body the edge reads and drops so that its 413 reaches the client. */
const drainMaxBytes = 1024 * 1024;

/** Reads a body to its end (or past `max` bytes), keeping nothing. */
async function drainBody(body: ReadableStream<Uint8Array>, max: number): Promise<void> {
  const reader = body.getReader();
  let read = 0;
  try {
    for (let chunk = await reader.read(); !chunk.done && read <= max; chunk = await reader.read()) read += chunk.value.byteLength;
  } catch {
    // The client gave up sending: the 413 is still the answer.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** Public route prefixes that need an API key (and count against its rate limit). */
const keyedPrefixes = ["/v1/entries", "/v1/webhooks", "/v1/nodes", "/v1/audit", "/v1/ops"];

export function createApp(resolveDeps: (c: Context) => EdgeDeps): Hono<EdgeEnv> {
  const app = new Hono<EdgeEnv>();
  app.onError(onError);
  app.notFound(notFound);
  app.use("*", async (c, next) => {
    try {
      c.set("deps", resolveDeps(c));
    } catch (error) {
      console.error("edge misconfigured:", (error as Error).message);
      throw new ApiError(503, "not_configured", "The service is not configured; see the server log");
    }
    await next();
  });
  // An oversized body that declares a modest length is read to its end and dropped before the 413:
  // a server that answers while the client is still sending resets the connection, and the client
  // sees ECONNRESET instead of the answer. Past drainMaxBytes the rest is never read, so the
  // connection cannot carry another request: say so, or a keep-alive client would send its next
  // request into a closing socket.
  const limitBody = (limit: number): MiddlewareHandler => {
    const tooLarge = (headers?: Record<string, string>) => new ApiError(413, "payload_too_large", `Request body exceeds ${limit} bytes`, undefined, headers);
    const check = bodyLimit({
      maxSize: limit,
      onError: () => {
        throw tooLarge({ connection: "close" });
      },
    });
    // GET and HEAD carry no body. Skipping them matters on Node: asking for the body makes the
    // server build a full Request, which was 8% of a status poll's CPU time.
    return async (c, next) => {
      if (c.req.method === "GET" || c.req.method === "HEAD") return next();
      const declared = Number(c.req.header("content-length") ?? Number.NaN);
      if (declared > limit && declared <= drainMaxBytes && c.req.raw.body) {
        await drainBody(c.req.raw.body, drainMaxBytes);
        throw tooLarge();
      }
      return check(c, next);
    };
  };
  app.use("/v1/node/*", limitBody(maxNodeEventBytes));
  const authed = requireKey((c) => (c as Context<EdgeEnv>).var.deps.db);
  for (const prefix of keyedPrefixes) {
    // "/x/*" also matches "/x" itself: one registration per prefix, so nothing runs twice.
    app.use(`${prefix}/*`, limitBody(maxBodyBytes), authed, rateLimit());
  }
  // Linting takes whole entries: a larger body than the other keyed routes.
  app.use("/v1/lint/*", limitBody(maxLintBytes + 4096), authed, rateLimit());

  app.route("/health", healthRoutes);
  // The OpenAPI document and the reference page: no key needed (edge/openapi/).
  app.route("/", docsRoutes);
  app.route("/v1/node", nodeEventRoutes);
  app.route("/v1/node", nodeRoutes);
  app.route("/v1/entries", entriesRoutes);
  app.route("/v1/entries", reviewRoutes);
  app.route("/v1/audit", auditRoutes);
  app.route("/v1/webhooks", webhookRoutes);
  app.route("/v1/nodes", nodeAdminRoutes);
  app.route("/v1/ops", opsApiRoutes);
  app.route("/v1/lint", lintRoutes);
  // The review portal: HTML pages with their own session, CSRF and security headers (edge/portal/).
  app.route("/portal", portalRoutes());
  return app;
}
