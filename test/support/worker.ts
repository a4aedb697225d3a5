// Runs the real Worker bundle (built by `wrangler deploy --dry-run`) under Miniflare (workerd),
// against a real libSQL database reached through the test Hrana bridge.
import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Miniflare } from "miniflare";
import { drizzle } from "drizzle-orm/libsql";
import { migrate } from "drizzle-orm/libsql/migrator";
import { createClient } from "@libsql/client";
import { edgeDb, type EdgeDb } from "../../edge/db/client.ts";
import { edgeMigrations } from "../../edge/node.ts";
import { startHranaBridge } from "./hrana-bridge.ts";
import { freePort } from "./net.ts";
import { repoRoot } from "./paths.ts";

export const workerBundle = path.join(repoRoot, "dist/worker/worker.js");

export type TestWorker = {
  url: string;
  db: EdgeDb;
  dbFile: string;
  /** Fires the Worker's `scheduled` handler (what its Cron Trigger does) and waits for it. */
  scheduled: () => Promise<void>;
  close: () => Promise<void>;
};

export type DbBridge = { url: string; close: () => Promise<void> };

export type TestWorkerOptions = {
  /** Adds the Workers Rate Limiting binding (OPUS_RATE_LIMITER) as wrangler.toml declares it. */
  rateLimit?: { limit: number; period: 10 | 60 };
  /** Starts the Hrana bridge to the database file; default in this process (benchmarks run it in its own). */
  startBridge?: (dbFile: string) => Promise<DbBridge>;
  /**
   * Miniflare routes each outbound request through a JS worker of its own to strip CF-Connecting-IP,
   * on the Worker's thread; Cloudflare does that in its proxy. Benchmarks turn it off.
   */
  stripCfConnectingIp?: boolean;
};

/** The Worker listens on a port chosen first, so that OPUS_PUBLIC_URL (which a Worker needs) can name it. */
export async function startTestWorker(bindings: Record<string, string>, options: TestWorkerOptions = {}): Promise<TestWorker> {
  if (!existsSync(workerBundle)) throw new Error(`Worker bundle missing at ${workerBundle}: run \`npm run build:worker\``);
  const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), "opus-worker-")), "edge.db");
  // Migrations go in through a normal file client (what `opus migrate` does against Turso).
  const setup = createClient({ url: `file:${dbFile}` });
  await migrate(drizzle(setup), { migrationsFolder: edgeMigrations });
  const bridge = await (options.startBridge ?? startHranaBridge)(dbFile);
  const port = await freePort();
  const mf = new Miniflare({
    modules: true,
    scriptPath: workerBundle,
    compatibilityDate: "2026-04-20",
    bindings: { OPUS_DB_URL: bridge.url, OPUS_PUBLIC_URL: `http://127.0.0.1:${port}`, ...bindings },
    ...(options.rateLimit ? { ratelimits: { OPUS_RATE_LIMITER: { simple: options.rateLimit } } } : {}),
    ...(options.stripCfConnectingIp === false ? { stripCfConnectingIp: false } : {}),
    host: "127.0.0.1",
    port,
  });
  const url = (await mf.ready).toString().replace(/\/$/, "");
  return {
    url,
    db: edgeDb(setup),
    dbFile,
    scheduled: async () => {
      // Typed loosely: @cloudflare/workers-types (where Fetcher.scheduled is declared) is not installed.
      const worker = (await mf.getWorker()) as unknown as { scheduled(o: { cron: string }): Promise<{ outcome: string }> };
      const result = await worker.scheduled({ cron: "* * * * *" });
      if (result.outcome !== "ok") throw new Error(`scheduled handler ended with ${result.outcome}`);
    },
    close: async () => {
      await mf.dispose();
      await bridge.close();
      setup.close();
    },
  };
}
