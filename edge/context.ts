// What every edge request can reach: its database, its settings, the caller's key, and a way to keep
// work running after the response (waitUntil on Workers, a detached promise on Node).
import type { Context } from "hono";
import type { AuthedKey } from "./auth.ts";
import type { EdgeConfig } from "./config.ts";
import type { EdgeDb } from "./db/client.ts";

/**
 * The Node entry's record of work left running after responses, so that closing the edge can wait
 * for it (and not report the errors of tasks cut off by the closing database).
 */
export class BackgroundTasks {
  private readonly running = new Set<Promise<unknown>>();
  closing = false;

  track(work: Promise<unknown>): void {
    this.running.add(work);
    void work.finally(() => this.running.delete(work));
  }

  /** Waits for running tasks, at most `timeoutMs`. */
  async settle(timeoutMs: number): Promise<void> {
    this.closing = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }
}

/** Cloudflare's Workers Rate Limiting binding (`[[ratelimits]]` in wrangler.toml). */
export type RateLimitBinding = { limit(options: { key: string }): Promise<{ success: boolean }> };

export type EdgeDeps = {
  db: EdgeDb;
  config: EdgeConfig;
  background?: BackgroundTasks;
  /** Counts per key across the isolates of a location; without it each isolate counts alone. */
  rateLimiter?: RateLimitBinding;
};
export type EdgeEnv = { Variables: { deps: EdgeDeps; apiKey: AuthedKey } };
export type EdgeContext = Context<EdgeEnv>;

export function runInBackground(c: Context, work: Promise<unknown>): void {
  const background = (c as EdgeContext).var?.deps?.background;
  const guarded = work.catch((error) => {
    if (!background?.closing) console.error("background task failed", error);
  });
  try {
    c.executionCtx.waitUntil(guarded);
  } catch {
    // Not on Workers: the promise simply runs on, tracked so that close() can wait for it.
    background?.track(guarded);
  }
}

/** The base URL clients and GPU nodes should use to reach this edge. */
export function publicBase(c: EdgeContext): string {
  return c.var.deps.config.publicUrl ?? new URL(c.req.url).origin;
}
