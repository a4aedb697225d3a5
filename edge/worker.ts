// Cloudflare Workers entry: libSQL over HTTP (@libsql/client/web) to Turso, or `turso dev` locally.
import { createClient } from "@libsql/client/web";
import type { Context } from "hono";
import { createApp } from "./app.ts";
import { readEdgeConfig } from "./config.ts";
import type { EdgeDeps } from "./context.ts";
import { edgeDb } from "./db/client.ts";

type Env = Record<string, unknown>;

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

export default { fetch: app.fetch };
