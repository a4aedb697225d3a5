// Cloudflare Workers entry: libSQL over HTTP (@libsql/client/web) to Turso, or `turso dev` locally.
// `fetch` serves the API; `scheduled` (the Cron Trigger in wrangler.toml) runs the sweeper, the
// dispatcher and webhook retries.
import { createClient } from "@libsql/client/web";
import type { Context } from "hono";
import { createApp } from "./app.ts";
import { readEdgeConfig, type EdgeConfig } from "./config.ts";
import type { EdgeDeps, RateLimitBinding } from "./context.ts";
import { edgeDb } from "./db/client.ts";
import { drizzlePolls } from "./entries/reads.ts";
import { runScheduledWork } from "./scheduled.ts";

type Env = Record<string, unknown>;
type ExecutionContext = { waitUntil(promise: Promise<unknown>): void };

// Settings are parsed once per isolate; the database client is made per request, because Workers
// forbid one request from awaiting I/O that another request started (a shared client's pending
// requests would be canceled, with "promise resolved from a different request context").
let cached: { env: Env; config: EdgeConfig } | undefined;

function depsFor(env: Env): EdgeDeps {
  // A Worker cannot know its own public address: links and node callbacks need OPUS_PUBLIC_URL.
  if (cached?.env !== env) cached = { env, config: readEdgeConfig(env, { requirePublicUrl: true }) };
  const { config } = cached;
  const binding = env.OPUS_RATE_LIMITER as Partial<RateLimitBinding> | undefined;
  const db = edgeDb(createClient({ url: config.dbUrl, authToken: config.dbToken }));
  return {
    db,
    config,
    publicUrl: config.publicUrl!,
    polls: drizzlePolls(db),
    rateLimiter: typeof binding?.limit === "function" ? (binding as RateLimitBinding) : undefined,
  };
}

const app = createApp((c: Context) => depsFor(c.env as Env));

export default {
  fetch: app.fetch,
  scheduled(_controller: unknown, env: Env, ctx: ExecutionContext): void {
    ctx.waitUntil(
      // Bounded batches: every database query and outbound call is a subrequest, and Workers cap
      // subrequests per invocation; what is left waits for the next minute.
      runScheduledWork(depsFor(env), { deliveries: 25, dispatches: 10 }).catch((error: Error) => {
        console.error("scheduled work failed:", error.message);
      }),
    );
  },
};
