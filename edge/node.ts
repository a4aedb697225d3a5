// The embedded default: the edge on plain Node with a local libSQL file, migrated at start. Links
// and callback URLs use OPUS_PUBLIC_URL, else the address the edge listens on: never a request's Host.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { serve, type ServerType } from "@hono/node-server";
import { createClient, type Client } from "@libsql/client";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { createApp } from "./app.ts";
import { readEdgeConfig, type EdgeConfig } from "./config.ts";
import { BackgroundTasks, type EdgeDeps } from "./context.ts";
import { edgeDb, type EdgeDb } from "./db/client.ts";
import { nativePolls } from "./db/native-polls.ts";
import { drizzlePolls } from "./entries/reads.ts";
import { runScheduledWork, type ScheduledSummary } from "./scheduled.ts";
import { startRetryTimer } from "./webhooks/deliver.ts";
import { startEdgeTracing } from "./tracing/node-export.ts";

export const edgeMigrations = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../migrations/edge");

/** Opens the database at `url` (file:..., libsql://...) and applies pending migrations. */
export async function openEdgeDb(url: string, authToken?: string): Promise<{ client: Client; db: EdgeDb }> {
  if (url.startsWith("file:")) mkdirSync(path.dirname(path.resolve(url.slice(5))), { recursive: true });
  const client = createClient({ url, authToken });
  if (url.startsWith("file:")) {
    await client.execute("PRAGMA journal_mode = WAL");
    await client.execute("PRAGMA busy_timeout = 5000");
  }
  await migrate(drizzle(client), { migrationsFolder: edgeMigrations });
  return { client, db: edgeDb(client) };
}

export type RunningEdge = {
  url: string;
  port: number;
  db: EdgeDb;
  client: Client;
  config: EdgeConfig;
  /** Runs one round of the scheduled work now (what the timer does every OPUS_SCHEDULER_INTERVAL_MS). */
  runScheduled: () => Promise<ScheduledSummary | undefined>;
  close: () => Promise<void>;
};

/**
 * The Node entry's stand-in for the Worker's Cron Trigger: runs `work` every `intervalMs`, never two
 * rounds at once, on an unref'd timer (it does not keep the process alive), stopped by `stop()`.
 */
function startScheduler(work: () => Promise<ScheduledSummary>, intervalMs: number) {
  let running: Promise<ScheduledSummary | undefined> | undefined;
  let stopped = false;
  const runNow = (): Promise<ScheduledSummary | undefined> => {
    if (stopped) return Promise.resolve(undefined);
    running ??= work()
      .catch((error: Error) => {
        console.error("scheduled work failed:", error.message);
        return undefined;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(() => void runNow(), intervalMs);
  timer.unref();
  return {
    runNow,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** The edge's own address as a URL: a wildcard bind is reached on loopback from this machine. */
export function listenUrl(hostname: string, port: number): string {
  const host = hostname === "0.0.0.0" || hostname === "" ? "127.0.0.1" : hostname === "::" ? "[::1]" : hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}`;
}

/** Starts the edge on Node. `port: 0` picks a free port. */
export async function startEdge(env: Record<string, unknown>, opts: { port?: number; hostname?: string } = {}): Promise<RunningEdge> {
  const config = readEdgeConfig(env);
  const { client, db } = await openEdgeDb(config.dbUrl, config.dbToken);
  const native = config.dbUrl.startsWith("file:") ? nativePolls(config.dbUrl.slice(5), db) : undefined;
  const background = new BackgroundTasks();
  const hostname = opts.hostname ?? "127.0.0.1";
  // Filled in once the server listens (the port may be chosen then); no request is served before.
  const tracing = startEdgeTracing(env);
  const deps: EdgeDeps = { db, config, background, publicUrl: config.publicUrl ?? "", polls: native?.polls ?? drizzlePolls(db), tracer: tracing?.tracer };
  const app = createApp(() => deps);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, port: opts.port ?? 8787, hostname }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : (opts.port ?? 8787);
  const url = listenUrl(hostname, port);
  deps.publicUrl = config.publicUrl ?? url;
  const scheduler = startScheduler(() => runScheduledWork(deps, { deliveries: 50, dispatches: 50 }), config.schedulerIntervalMs);
  // Webhook retries leave when due, not at the next scheduled round.
  const retries = startRetryTimer(db, config);
  return {
    url,
    port,
    db,
    client,
    config,
    runScheduled: scheduler.runNow,
    close: async () => {
      await scheduler.stop();
      await retries.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // Webhook attempts and dispatches started by the last requests finish first (briefly).
      await background.settle(2000);
      native?.close();
      client.close();
      await tracing?.shutdown();
    },
  };
}
