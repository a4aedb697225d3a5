// The edge API, independent of its runtime: worker.ts and node.ts each supply the database and the
// settings through `resolveDeps`.
import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requireKey } from "./auth.ts";
import type { EdgeDeps, EdgeEnv } from "./context.ts";
import { ApiError, notFound, onError } from "./errors.ts";
import { entriesRoutes } from "./routes/entries.ts";
import { healthRoutes } from "./routes/health.ts";
import { nodeEventRoutes } from "./routes/node-events.ts";

export const maxBodyBytes = 64 * 1024;
/** Finished entries arrive from GPU nodes in one event: allow them far more room than users. */
export const maxNodeEventBytes = 8 * 1024 * 1024;

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
  const tooLarge = (limit: number) => () => {
    throw new ApiError(413, "payload_too_large", `Request body exceeds ${limit} bytes`);
  };
  app.use("/v1/node/*", bodyLimit({ maxSize: maxNodeEventBytes, onError: tooLarge(maxNodeEventBytes) }));
  app.use("/v1/entries/*", bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge(maxBodyBytes) }));
  app.use("/v1/entries", bodyLimit({ maxSize: maxBodyBytes, onError: tooLarge(maxBodyBytes) }));

  app.route("/health", healthRoutes);
  app.route("/v1/node", nodeEventRoutes);
  const authed = requireKey((c) => (c as Context<EdgeEnv>).var.deps.db);
  app.use("/v1/entries", authed);
  app.use("/v1/entries/*", authed);
  app.route("/v1/entries", entriesRoutes);
  return app;
}
