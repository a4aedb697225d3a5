// Status polling: GET /v1/entries/:id (authenticated, real database read) against the bare
// /health/live route on the same server, same run, for the Node entry and for the Worker under
// Miniflare. Throughput comes from autocannon; latency from a closed loop of keep-alive requests
// timed in microseconds (autocannon's histogram has 1 ms resolution, too coarse for the bare
// route). The Node edge runs in a child process so the load generator does not share its loop.
// The Worker runs the same way a deployment would pay for it (bench/support/bridged-worker.ts): the
// test Hrana bridge standing in for Turso (another machine in production) runs in a child process,
// where it once ran in this process and each poll's database round trip queued behind autocannon's
// event loop; and Miniflare's CF-Connecting-IP stripping, a second JS worker invocation per outbound
// request on the same workerd thread (Cloudflare strips that header in its proxy), is off.
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { newSigningSecret } from "../shared/api/signing.ts";
import { createApiKey } from "../edge/auth.ts";
import { openEdgeDb } from "../edge/node.ts";
import { startBridgedWorker } from "./support/bridged-worker.ts";
import { percentile, report, type Row } from "./report.ts";

const durationSeconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

const latencyRequests = Number(process.env.BENCH_LATENCY_REQUESTS ?? 2000);

/** Latencies (ms) of `latencyRequests` requests, `connections` at a time over keep-alive. */
async function latencies(url: string, headers: Record<string, string>): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const samples: number[] = [];
  let remaining = latencyRequests;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const start = process.hrtime.bigint();
      http
        .get(url, { agent, headers }, (res) => {
          res.resume();
          res.on("end", () => {
            samples.push(Number(process.hrtime.bigint() - start) / 1e6);
            resolve();
          });
        })
        .on("error", reject);
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (remaining-- > 0) await one();
    }),
  );
  agent.destroy();
  return samples;
}

async function load(url: string, headers: Record<string, string> = {}, okStatus = 200) {
  const result = await autocannon({ url, headers, connections, duration: durationSeconds });
  const codes = (result as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats;
  const unexpected = Object.entries(codes).reduce((n, [code, { count }]) => (Number(code) === okStatus ? n : n + count), 0);
  const lat = await latencies(url, headers);
  return { p50: percentile(lat, 50), p99: percentile(lat, 99), rps: result.requests.average, errors: result.errors + unexpected };
}

async function startNodeEdge(secret: string): Promise<{ url: string; key: string; child: ChildProcess }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "opus-bench-"));
  const dbUrl = `file:${path.join(dir, "edge.db")}`;
  const { db, client } = await openEdgeDb(dbUrl);
  const { key } = await createApiKey(db, "bench");
  client.close();
  const port = 20000 + Math.floor(Math.random() * 20000);
  const child = spawn(process.execPath, [path.join(root, "bin/opus.js"), "serve", "edge", "--port", String(port)], {
    env: { ...process.env, OPUS_DB_URL: dbUrl, OPUS_NODE_SECRET: secret, OPUS_GPU_NODE_URL: undefined, OPUS_RATE_LIMIT: "0" }, // the per-key limit would turn load into 429s
    stdio: ["ignore", "ignore", "pipe"],
  });
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on("data", (d: Buffer) => (d.toString().includes("listening") ? resolve() : undefined));
    child.on("exit", (code) => reject(new Error(`edge exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, key, child };
}

async function measure(target: string, base: string, key: string): Promise<Row[]> {
  const auth = { authorization: `Bearer ${key}` };
  const created = await fetch(`${base}/v1/entries`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: JSON.stringify({ subject: "Theosis", tier: "S", category: "Theology" }) });
  const { id } = (await created.json()) as { id: string };
  const etag = (await fetch(`${base}/v1/entries/${id}`, { headers: auth })).headers.get("etag")!;
  await load(`${base}/health/live`); // warm-up
  const bare = await load(`${base}/health/live`);
  const poll = await load(`${base}/v1/entries/${id}`, auth);
  const poll304 = await load(`${base}/v1/entries/${id}`, { ...auth, "if-none-match": etag }, 304);
  const row = (route: string, r: typeof bare): Row => ({
    target,
    route,
    p50_ms: Number(r.p50.toFixed(3)),
    p99_ms: Number(r.p99.toFixed(3)),
    req_per_s: Math.round(r.rps),
    errors: r.errors,
    p50_ratio: Number((r.p50 / Math.max(bare.p50, 0.001)).toFixed(2)),
    rps_ratio: Number((r.rps / bare.rps).toFixed(3)),
  });
  return [row("GET /health/live (bare)", bare), row("GET /v1/entries/:id", poll), row("GET /v1/entries/:id (304)", poll304)];
}

const secret = newSigningSecret();
const rows: Row[] = [];
const nodeEdge = await startNodeEdge(secret);
try {
  rows.push(...(await measure("node", nodeEdge.url, nodeEdge.key)));
} finally {
  nodeEdge.child.kill();
}
const worker = await startBridgedWorker({ OPUS_NODE_SECRET: secret, OPUS_RATE_LIMIT: "0" });
try {
  const { key } = await createApiKey(worker.db, "bench");
  rows.push(...(await measure("worker (miniflare)", worker.url, key)));
} finally {
  await worker.close();
}
const ratio = (target: string) => rows.find((r) => r.target === target && r.route === "GET /v1/entries/:id")?.p50_ratio ?? null;
report("polling", rows, { connections, duration_s: durationSeconds, node_p50_ratio: ratio("node"), worker_p50_ratio: ratio("worker (miniflare)"), goal: "p50 ratio <= 2" });
