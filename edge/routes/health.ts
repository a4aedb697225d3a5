// Liveness (no dependencies, also the baseline of the polling benchmark) and readiness (database).
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import type { EdgeEnv } from "../context.ts";

export const healthRoutes = new Hono<EdgeEnv>()
  .get("/live", (c) => c.json({ status: "ok" }))
  .get("/", async (c) => {
    const started = Date.now();
    try {
      await c.var.deps.db.run(sql`select 1`);
    } catch {
      return c.json({ status: "unavailable", db: "unreachable" }, 503);
    }
    return c.json({
      status: "ok",
      db: { ok: true, ms: Date.now() - started },
      gpu_node: c.var.deps.config.gpuNodeUrl ? "configured" : "not configured",
    });
  });
