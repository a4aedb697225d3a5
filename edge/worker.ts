// Cloudflare Workers entry: libSQL over HTTP (@libsql/client/web) to Turso, or `turso dev` locally.
// `fetch` serves the API; `scheduled` (the Cron Trigger in wrangler.toml) runs the sweeper, the
// dispatcher and webhook retries.
import { createClient, type Client } from "@libsql/client/web";
import type { Context } from "hono";
import { createApp } from "./app.ts";
import { readEdgeConfig, type EdgeConfig } from "./config.ts";
import type { EdgeDeps, RateLimitBinding } from "./context.ts";
import { edgeDb, type EdgeDb } from "./db/client.ts";
import { ClientPolls } from "./db/client-polls.ts";
import { runScheduledWork } from "./scheduled.ts";

type Env = Record<string, unknown>;
type ExecutionContext = { waitUntil(promise: Promise<unknown>): void };

// Settings are parsed once per isolate; the database client is made per request, because Workers
// forbid one request from awaiting I/O that another request started: a shared client queues calls
// beyond its concurrency limit (20) and starts them from whichever request finishes one (a burst of
// 200 polls got 176 answers of 500). An unlimited shared client passed that burst and saved ~25 us
// of a poll's ~550 us of workerd CPU; not taken: it relies on the library never queueing, and a
// request canceled mid-query could leave its stream in the shared client for the isolate's life.
// The client is made on first use: a route that never touches the database (/health/live), or a poll whose key is
// remembered (auth.ts), pays nothing for a drizzle instance, and a poll's read runs on the bare
// client (db/client-polls.ts).
let cached: { env: Env; config: EdgeConfig } | undefined;

/** One request's dependencies. A class, so that a request makes this object and no closures. */
class RequestDeps implements EdgeDeps {
  #client: Client | undefined;
  #db: EdgeDb | undefined;
  readonly polls: ClientPolls = new ClientPolls(this);
  readonly publicUrl: string;

  constructor(
    readonly config: EdgeConfig,
    readonly rateLimiter: RateLimitBinding | undefined,
  ) {
    this.publicUrl = config.publicUrl!;
  }

  get client(): Client {
    return (this.#client ??= createClient({ url: this.config.dbUrl, authToken: this.config.dbToken }));
  }

  get db(): EdgeDb {
    return (this.#db ??= edgeDb(this.client));
  }
}

function depsFor(env: Env): EdgeDeps {
  // A Worker cannot know its own public address: links and node callbacks need OPUS_PUBLIC_URL.
  if (cached?.env !== env) cached = { env, config: readEdgeConfig(env, { requirePublicUrl: true }) };
  const binding = env.OPUS_RATE_LIMITER as Partial<RateLimitBinding> | undefined;
  return new RequestDeps(cached.config, typeof binding?.limit === "function" ? (binding as RateLimitBinding) : undefined);
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
