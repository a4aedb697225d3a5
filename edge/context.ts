// What every edge request can reach: its database, its settings, the caller's key, and a way to keep
// work running after the response (waitUntil on Workers, a detached promise on Node).
import type { Tracer } from "@opentelemetry/api";
import type { Context } from "hono";
import type { AuthedKey } from "./auth.ts";
import type { EdgeConfig } from "./config.ts";
import type { EdgeDb } from "./db/client.ts";
import type { StatusPolls } from "./entries/reads.ts";

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
  /**
   * The edge's base URL for links and for the callback URLs given to GPU nodes: OPUS_PUBLIC_URL, or
   * the Node entry's own listen address. Never taken from a request (its Host header is the caller's
   * to choose).
   */
  publicUrl: string;
  /** The status poll's two reads; the Node entry supplies natively prepared ones. */
  polls: StatusPolls;
  background?: BackgroundTasks;
  /** Counts per key across the isolates of a location; without it each isolate counts alone. */
  rateLimiter?: RateLimitBinding;
  /** Exports the edge's spans (Node with OPUS_TRACES_ENDPOINT); absent: the OpenTelemetry API's no-op. */
  tracer?: Tracer;
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

/** The base URL clients and GPU nodes should use to reach this edge: from configuration only. */
export function publicBase(c: EdgeContext): string {
  return c.var.deps.publicUrl;
}
