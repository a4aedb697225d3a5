// Status polling under load while an entry is being written: 64 clients (BENCH_CONCURRENCY) poll
// GET /v1/entries/:id for 30 s (BENCH_SECONDS) with If-None-Match, as `opus generate` does, against
// the edge's Node entry in its own process, while a real GPU node (another process, the model in
// OPUS_MODEL or the test model) writes the entry and posts its events. Prints p50/p99 latency,
// throughput and errors (anything but 200/304, and transport failures); writes
// bench/results/polling-load.json. The per-key rate limit is off here (OPUS_RATE_LIMIT=0): the
// point is the edge's latency under polling, not the limiter.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createApiKey } from "../edge/auth.ts";
import { openEdgeDb } from "../edge/node.ts";
import { newSigningSecret } from "../shared/api/signing.ts";
import { percentile, report } from "./report.ts";
import { freePort } from "../test/support/net.ts";
import { benchModelPath } from "./bench-model.ts";

const seconds = Number(process.env.BENCH_SECONDS ?? 30);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const model = process.env.OPUS_MODEL ?? benchModelPath();

function serve(what: "edge" | "gpu-node", env: Record<string, string>, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, "bin/opus.js"), "serve", what, "--port", String(port)], { env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("listening")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`${what} exited with ${code}: ${err}`)));
  });
}

type Status = { status: string; words: number; step: string | null };

const dir = mkdtempSync(path.join(os.tmpdir(), "opus-polling-load-"));
const secret = newSigningSecret();
const dbUrl = `file:${path.join(dir, "edge.db")}`;
const { db, client } = await openEdgeDb(dbUrl);
const { key } = await createApiKey(db, "polling-load");
client.close();

const nodePort = await freePort();
const edgePort = await freePort();
const children: ChildProcess[] = [];
const base = `http://127.0.0.1:${edgePort}`;
const auth = { authorization: `Bearer ${key}` };

try {
  children.push(
    await serve(
      "gpu-node",
      {
        OPUS_MODEL: model,
        OPUS_THREADS: "1",
        OPUS_SEQUENCES: "4",
        OPUS_CONTEXT_SIZE: "512",
        OPUS_NODE_DB: path.join(dir, "gpu-node.db"),
        OPUS_CACHE_DIR: path.join(dir, "cache"),
        OPUS_LOG_LEVEL: "error",
        OPUS_NODE_SECRET: secret,
        // The node reports only to its edge, which calls it at nodePort (OPUS_GPU_NODE_URL).
        OPUS_EDGE_URL: base,
        OPUS_NODE_MODE: "static",
      },
      nodePort,
    ),
  );
  children.push(await serve("edge", { OPUS_DB_URL: dbUrl, OPUS_NODE_SECRET: secret, OPUS_GPU_NODE_URL: `http://127.0.0.1:${nodePort}`, OPUS_RATE_LIMIT: "0" }, edgePort));

  const created = await fetch(`${base}/v1/entries`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ subject: "Theosis", tier: "S", category: "Theology", seed: 1 }),
  });
  const { id } = (await created.json()) as { id: string };
  const status = async () => (await (await fetch(`${base}/v1/entries/${id}`, { headers: auth })).json()) as Status;
  for (let s = await status(); s.status !== "sections"; s = await status()) {
    if (["succeeded", "needs_review", "failed", "canceled"].includes(s.status)) throw new Error(`the entry ended (${s.status}) before the load started`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const before = await status();

  // The load: `concurrency` keep-alive clients, each polling in a closed loop with its last ETag.
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const codes = new Map<string, number>();
  let errors = 0;
  const until = Date.now() + seconds * 1000;
  const poll = (etag: string) =>
    new Promise<string>((resolve) => {
      const start = process.hrtime.bigint();
      const req = http.get(`${base}/v1/entries/${id}`, { agent, headers: { ...auth, ...(etag ? { "if-none-match": etag } : {}) } }, (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(Number(process.hrtime.bigint() - start) / 1e6);
          const code = String(res.statusCode);
          codes.set(code, (codes.get(code) ?? 0) + 1);
          if (code !== "200" && code !== "304") errors++;
          resolve((res.headers.etag as string | undefined) ?? etag);
        });
      });
      req.on("error", () => {
        errors++;
        codes.set("transport error", (codes.get("transport error") ?? 0) + 1);
        resolve(etag);
      });
    });
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      let etag = "";
      while (Date.now() < until) etag = await poll(etag);
    }),
  );
  agent.destroy();
  const after = await status();
  const generating = !["succeeded", "needs_review", "failed", "canceled"].includes(after.status);

  report(
    "polling-load",
    [
      {
        target: "node edge (own process)",
        concurrency,
        duration_s: seconds,
        requests: latencies.length,
        req_per_s: Math.round(latencies.length / seconds),
        p50_ms: Number(percentile(latencies, 50).toFixed(2)),
        p99_ms: Number(percentile(latencies, 99).toFixed(2)),
        max_ms: Number(Math.max(...latencies).toFixed(2)),
        errors,
        share_304: Number(((codes.get("304") ?? 0) / Math.max(1, latencies.length)).toFixed(3)),
      },
    ],
    {
      codes: JSON.stringify(Object.fromEntries(codes)),
      words_at_start: before.words,
      words_at_end: after.words,
      status_at_end: after.status,
      generating_throughout: generating,
      model: path.basename(model),
    },
  );
  if (errors > 0) process.exitCode = 1;
} finally {
  for (const child of children) child.kill("SIGKILL");
}
