// Cloudflare Workers entry: libSQL over HTTP (@libsql/client/web) to Turso, or `turso dev` locally.
// `fetch` serves the API; `scheduled` (the Cron Trigger in wrangler.toml) runs the sweeper, the
// dispatcher and webhook retries.
import { createClient } from "@libsql/client/web";
import type { Context } from "hono";
import { createApp } from "./app.ts";
import { readEdgeConfig } from "./config.ts";
import type { EdgeDeps } from "./context.ts";
import { edgeDb } from "./db/client.ts";
import { runScheduledWork } from "./scheduled.ts";

type Env = Record<string, unknown>;
type ExecutionContext = { waitUntil(promise: Promise<unknown>): void };

// One client per isolate, rebuilt only if the bindings change.
let cached: { env: Env; deps: EdgeDeps } | undefined;

function depsFor(env: Env): EdgeDeps {
  if (cached?.env === env) return cached.deps;
  const config = readEdgeConfig(env);
  const client = createClient({ url: config.dbUrl, authToken: config.dbToken });
  cached = { env, deps: { db: edgeDb(client), config } };
  return cached.deps;
}

const app = createApp((c: Context) => depsFor(c.env as Env));

export default {
  fetch: app.fetch,
  scheduled(_controller: unknown, env: Env, ctx: ExecutionContext): void {
    ctx.waitUntil(
      // Bounded batches: every database query and outbound call is a subrequest, and Workers cap
      // subrequests per invocation; what is left waits for the next minute.
      runScheduledWork(depsFor(env), undefined, { deliveries: 25, dispatches: 10 }).catch((error: Error) => {
        console.error("scheduled work failed:", error.message);
      }),
    );
  },
};
