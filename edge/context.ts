// What every edge request can reach: its database, its settings, the caller's key, and a way to keep
// work running after the response (waitUntil on Workers, a detached promise on Node).
import type { Context } from "hono";
import type { AuthedKey } from "./auth.ts";
import type { EdgeConfig } from "./config.ts";
import type { EdgeDb } from "./db/client.ts";

export type EdgeDeps = { db: EdgeDb; config: EdgeConfig };
export type EdgeEnv = { Variables: { deps: EdgeDeps; apiKey: AuthedKey } };
export type EdgeContext = Context<EdgeEnv>;

export function runInBackground(c: Context, work: Promise<unknown>): void {
  const guarded = work.catch((error) => console.error("background task failed", error));
  try {
    c.executionCtx.waitUntil(guarded);
  } catch {
    // Not on Workers: the promise simply runs on.
  }
}

/** The base URL clients and GPU nodes should use to reach this edge. */
export function publicBase(c: EdgeContext): string {
  return c.var.deps.config.publicUrl ?? new URL(c.req.url).origin;
}
