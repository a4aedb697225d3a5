// What tracing costs: the same seeded entry written with the OpenTelemetry API's no-op tracer and
// with the SDK recording every span (in memory, so no network is measured), alternating in one run.
// The response cache is off, so every run does the same generation work.
// Run: npx tsx bench/tracing.ts   (OPUS_BENCH_MODEL=<gguf>, OPUS_BENCH_TIER=S|A|B, OPUS_BENCH_ROUNDS)
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import { openNodeDb } from "../gpu-node/db/client.ts";
import { createEngine } from "../gpu-node/engine/index.ts";
import { loadNodeConfig } from "../gpu-node/config/index.ts";
import { CheckpointStore } from "../gpu-node/pipeline/checkpoints.ts";
import { runPipeline, type PipelineDeps } from "../gpu-node/pipeline/write-entry.ts";
import { startTracing } from "../gpu-node/telemetry/tracing.ts";
import { createServerValidator } from "../gpu-node/validation.ts";
import { percentile, report, type Row } from "./report.ts";
import { benchModelPath } from "./bench-model.ts";

const modelPath = benchModelPath();
const tier = (process.env.OPUS_BENCH_TIER ?? "B") as "S" | "A" | "B";
const rounds = Number(process.env.OPUS_BENCH_ROUNDS ?? 3);

const dir = mkdtempSync(path.join(os.tmpdir(), "opus-bench-tracing-"));
const config = loadNodeConfig({
  env: {
    OPUS_MODEL: modelPath,
    OPUS_THREADS: process.env.OPUS_BENCH_THREADS ?? "1",
    OPUS_SEQUENCES: "4",
    OPUS_CONTEXT_SIZE: "512",
    OPUS_NODE_DB: path.join(dir, "node.db"),
    OPUS_CACHE_DIR: path.join(dir, "cache"),
    OPUS_FEATURES__RESPONSE_CACHE: "false",
    OPUS_LOG_LEVEL: "error",
  },
});
const db = await openNodeDb(config.paths.database);
const engine = await createEngine(config, { db });
await engine.loadModel();
const base: PipelineDeps = {
  generator: engine,
  config: config.pipeline,
  validator: createServerValidator(),
  checkpoints: new CheckpointStore(db),
  provenance: { model: "bench", modelSha256: "", configHash: "" },
};
const exporter = new InMemorySpanExporter();
const recording = startTracing({ serviceName: "bench", sampleRatio: 1 }, "bench", new SimpleSpanProcessor({ exporter }));

const seconds: Record<"off" | "on", number[]> = { off: [], on: [] };
let spans = 0;
let words = 0;
for (let round = 0; round < rounds; round++) {
  for (const mode of round % 2 === 0 ? (["off", "on"] as const) : (["on", "off"] as const)) {
    const job = { id: `ent_trace_${mode}_${round}`, subject: "Theosis", tier, category: "Theology", seed: 1 };
    await base.checkpoints.open({ ...job, callback_url: "http://127.0.0.1:1/unused" });
    exporter.reset();
    const start = performance.now();
    const result = await runPipeline(job, { ...base, ...(mode === "on" ? { tracer: recording.tracer } : {}) }, { signal: new AbortController().signal, onProgress: () => undefined });
    seconds[mode].push((performance.now() - start) / 1000);
    if (mode === "on") spans = exporter.getFinishedSpans().length;
    words = result.entry.words;
  }
}
await recording.shutdown();
await engine.close();
db.$client.close();

const median = (xs: number[]) => percentile(xs, 50);
const rows: Row[] = (["off", "on"] as const).map((mode) => ({
  tracing: mode === "off" ? "off (no-op tracer)" : "on (SDK, every span recorded)",
  median_s: Number(median(seconds[mode]).toFixed(2)),
  runs: seconds[mode].map((s) => s.toFixed(2)).join(" "),
}));
report("tracing", rows, { tier, words, spans_per_entry: spans, overhead_ratio: Number((median(seconds.on) / median(seconds.off)).toFixed(3)) });
