// Parallel sequences: aggregate decoding speed when 1, 2, 4 and 6 requests run at once on one model,
// as concurrent sequences of its one context (batched decoding). Reports the curve and each point's
// ratio to one sequence. On a GPU, batched decoding is expected to give several times the throughput
// at 6 sequences; on a small CPU the batch mostly shares the same cores.
// Run: npx tsx bench/parallel-sequences.ts   (OPUS_BENCH_MODEL=<gguf>, OPUS_BENCH_THREADS=<n>, OPUS_GPU=false|auto)
import os from "node:os";
import path from "node:path";
import { createEngine } from "../gpu-node/engine/index.ts";
import { nodeConfigSchema, type NodeConfig } from "../gpu-node/config/index.ts";
import { percentile, report, type Row } from "./report.ts";
import { benchModelPath } from "./bench-model.ts";

const modelPath = benchModelPath();
const threads = Number(process.env.OPUS_BENCH_THREADS ?? 1);
const gpu = process.env.OPUS_GPU === "false" ? false : "auto";
const ROUNDS = Number(process.env.OPUS_BENCH_ROUNDS ?? 5);
const MAX_TOKENS = 200;
const LEVELS = [1, 2, 4, 6];

// Both batching modes: "shared" (one context, batched decoding) and "isolated" (a context per
// sequence, the default, which keeps seeded text independent of the load).
const allRows: Row[] = [];
let device = "";
let gpuName = "";
for (const batching of ["shared", "isolated"] as const) {
const config: NodeConfig = {
  ...nodeConfigSchema.parse({
    gpu,
    logLevel: "error",
    models: [{ id: "m", source: modelPath, threads, contextSize: 1024, sequences: Math.max(...LEVELS) }],
    generation: { batching },
    features: { threadCalibration: false, responseCache: false, processMetrics: false },
    paths: { cacheDir: path.join(os.tmpdir(), "opus-bench-cache") },
  }),
  configFile: null,
};
const engine = await createEngine(config);
await engine.loadModel("m");

/** n requests at once; aggregate tokens per second over the wall time of the batch. */
async function batch(n: number, round: number): Promise<{ tokens: number; ms: number }> {
  const start = performance.now();
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      // Different seeds so sequences do not decode identical text; no seed cache (disabled above).
      engine.complete({ model: "m", prompt: "Once upon a time", maxTokens: MAX_TOKENS, temperature: 0.8, seed: round * 100 + i }),
    ),
  );
  return { tokens: results.reduce((sum, r) => sum + r.tokens, 0), ms: performance.now() - start };
}

await batch(1, ROUNDS);
const speeds = new Map<number, number[]>(LEVELS.map((n) => [n, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const n of round % 2 === 0 ? LEVELS : [...LEVELS].reverse()) {
    const r = await batch(n, round);
    speeds.get(n)!.push((r.tokens * 1000) / r.ms);
  }
}

const single = percentile(speeds.get(1)!, 50);
for (const n of LEVELS) {
  const median = percentile(speeds.get(n)!, 50);
  allRows.push({ batching, sequences: n, aggregateTokensPerSecond: Math.round(median), perSequenceTokensPerSecond: Math.round(median / n), ratioToOne: Number((median / single).toFixed(2)) });
}
device = engine.budget.device;
gpuName = String(engine.hardware.gpu || "none");
await engine.close();
}
const at6 = (b: string) => allRows.find((r) => r.batching === b && r.sequences === 6)!.ratioToOne as number;
report("parallel-sequences", allRows, {
  model: path.basename(modelPath),
  threads,
  device,
  gpu: gpuName,
  sharedRatioAt6: at6("shared"),
  isolatedRatioAt6: at6("isolated"),
});
