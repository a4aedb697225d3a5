// The generation pipeline's own cost: end-to-end tokens/s of a whole tier-S entry against raw
// node-llama-cpp decoding of the same model and threads in the same run, and the time to the entry
// with sections in parallel (4 sequences) against one section at a time (1 sequence).
// Run: npx tsx bench/pipeline.ts   (OPUS_BENCH_MODEL=<gguf>, OPUS_BENCH_TIER=S|A|B)
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getLlama, LlamaCompletion, LlamaLogLevel } from "node-llama-cpp";
import { openNodeDb } from "../gpu-node/db/client.ts";
import { createEngine } from "../gpu-node/engine/index.ts";
import { loadNodeConfig } from "../gpu-node/config/index.ts";
import { CheckpointStore } from "../gpu-node/pipeline/checkpoints.ts";
import { runPipeline } from "../gpu-node/pipeline/write-entry.ts";
import { createServerValidator } from "../gpu-node/validation.ts";
import { report, type Row } from "./report.ts";
import { benchModelPath } from "./bench-model.ts";

const modelPath = benchModelPath();
const tier = (process.env.OPUS_BENCH_TIER ?? "S") as "S" | "A" | "B";
const threads = Number(process.env.OPUS_BENCH_THREADS ?? 1);
const contextSize = Number(process.env.OPUS_BENCH_CONTEXT ?? 512);

async function rawTokensPerSecond(): Promise<number> {
  const llama = await getLlama({ gpu: process.env.OPUS_GPU === "false" ? false : "auto", logLevel: LlamaLogLevel.error, build: "never" });
  const model = await llama.loadModel({ modelPath });
  const context = await model.createContext({ contextSize, sequences: 1, threads });
  const sequence = context.getSequence();
  const speeds: number[] = [];
  for (let i = 0; i < 5; i++) {
    await sequence.clearHistory();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    let tokens = 0;
    const start = performance.now();
    await completion.generateCompletion("Once upon a time", { maxTokens: 400, seed: i + 1, temperature: 0.8, onToken: (t) => (tokens += t.length) });
    speeds.push((tokens * 1000) / (performance.now() - start));
    completion.dispose({ disposeSequence: false });
  }
  await context.dispose();
  await model.dispose();
  return speeds.sort((a, b) => a - b)[2]!;
}

async function entry(sequences: number): Promise<{ seconds: number; tokens: number; words: number; status: string; lengthScore: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "opus-bench-pipeline-"));
  const config = loadNodeConfig({
    env: {
      OPUS_MODEL: modelPath,
      OPUS_THREADS: String(threads),
      OPUS_SEQUENCES: String(sequences),
      OPUS_CONTEXT_SIZE: String(contextSize),
      OPUS_NODE_DB: path.join(dir, "node.db"),
      OPUS_CACHE_DIR: path.join(dir, "cache"),
      OPUS_LOG_LEVEL: "error",
    },
  });
  const db = await openNodeDb(config.paths.database);
  const engine = await createEngine(config, { db });
  await engine.loadModel();
  const deps = {
    generator: engine,
    config: config.pipeline,
    validator: createServerValidator(),
    checkpoints: new CheckpointStore(db),
    provenance: { model: "bench", modelSha256: "", configHash: "" },
  };
  const job = { id: `ent_bench_${sequences}`, subject: "Theosis", tier, category: "Theology", seed: 1 };
  await deps.checkpoints.open({ ...job, callback_url: "http://127.0.0.1:1/unused" });
  const start = performance.now();
  const result = await runPipeline(job, deps, { signal: new AbortController().signal, onProgress: () => undefined });
  const seconds = (performance.now() - start) / 1000;
  await engine.close();
  db.$client.close();
  return { seconds, tokens: result.entry.metadata.tokens as number, words: result.entry.words, status: result.status, lengthScore: result.quality.length.score };
}

const raw = await rawTokensPerSecond();
const parallel = await entry(4);
const serial = await entry(1);
const row = (name: string, r: Awaited<ReturnType<typeof entry>>): Row => ({
  run: name,
  seconds: Number(r.seconds.toFixed(1)),
  words: r.words,
  tokens: r.tokens,
  tokens_per_s: Math.round(r.tokens / r.seconds),
  ratio_to_raw: Number((r.tokens / r.seconds / raw).toFixed(3)),
  length_score: r.lengthScore,
  status: r.status,
});
report("pipeline", [{ run: "raw decoding (1 sequence)", tokens_per_s: Math.round(raw) }, row("entry, 4 sequences (parallel sections)", parallel), row("entry, 1 sequence (one section at a time)", serial)], {
  tier,
  model: path.basename(modelPath),
  threads,
  context: contextSize,
  e2e_ratio_parallel: Number((parallel.tokens / parallel.seconds / raw).toFixed(3)),
  e2e_ratio_serial: Number((serial.tokens / serial.seconds / raw).toFixed(3)),
  parallel_speedup: Number((serial.seconds / parallel.seconds).toFixed(2)),
});
