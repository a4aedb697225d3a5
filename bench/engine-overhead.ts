// Engine overhead: decoding speed through the engine's API (validation, admission queue, sequence
// lease, streaming, metrics) against raw node-llama-cpp (LlamaCompletion on a context of its own) for the
// same model file, thread count, context, prompt and greedy decoding, on one Llama instance. Rounds
// alternate raw and engine so machine noise falls on both. Goal: engine / raw >= 0.95.
// Run: npx tsx bench/engine-overhead.ts   (OPUS_BENCH_MODEL=<gguf>, OPUS_BENCH_THREADS=<n>, OPUS_GPU=false|auto)
import os from "node:os";
import path from "node:path";
import { getLlama, LlamaCompletion, LlamaLogLevel } from "node-llama-cpp";
import { createEngine } from "../gpu-node/engine/index.ts";
import { nodeConfigSchema, type NodeConfig } from "../gpu-node/config/index.ts";
import { percentile, report, type Row } from "./report.ts";
import { benchModelPath } from "./bench-model.ts";

const modelPath = benchModelPath();
const threads = Number(process.env.OPUS_BENCH_THREADS ?? 1);
const gpu = process.env.OPUS_GPU === "false" ? false : "auto";
const ROUNDS = Number(process.env.OPUS_BENCH_ROUNDS ?? 9);
const MAX_TOKENS = 400;
const CONTEXT = 2048;
const prompt = "Once upon a time";

const llama = await getLlama({ gpu, build: "never", logLevel: LlamaLogLevel.error });
const config: NodeConfig = {
  ...nodeConfigSchema.parse({
    gpu,
    logLevel: "error",
    models: [{ id: "m", source: modelPath, threads, contextSize: CONTEXT, sequences: 1, gpuLayers: "auto" }],
    features: { threadCalibration: false, responseCache: false, processMetrics: false },
    paths: { cacheDir: path.join(os.tmpdir(), "opus-bench-cache") },
  }),
  configFile: null,
};
const engine = await createEngine(config, { llama });
await engine.loadModel("m");
const plan = await engine.plan("m");

const rawModel = await llama.loadModel({ modelPath, gpuLayers: plan.gpuLayers.value });
const rawContext = await rawModel.createContext({ contextSize: CONTEXT, sequences: 1, threads });
const rawCompletion = new LlamaCompletion({ contextSequence: rawContext.getSequence() });

async function raw(): Promise<{ tokens: number; ms: number }> {
  let tokens = 0;
  let text = "";
  const start = performance.now();
  await rawCompletion.generateCompletionWithMeta(prompt, {
    maxTokens: MAX_TOKENS,
    temperature: 0,
    disableContextShift: true,
    onToken: (t) => (tokens += t.length),
    onTextChunk: (chunk) => (text += chunk),
  });
  return { tokens, ms: performance.now() - start };
}

async function viaEngine(): Promise<{ tokens: number; ms: number }> {
  let text = "";
  const start = performance.now();
  const result = await engine.complete({ model: "m", prompt, maxTokens: MAX_TOKENS, temperature: 0, onToken: (t) => (text += t) });
  return { tokens: result.tokens, ms: performance.now() - start };
}

// Warm both paths (first evaluation allocates buffers).
await raw();
await viaEngine();

const rawSpeeds: number[] = [];
const engineSpeeds: number[] = [];
const pairedRatios: number[] = [];
const rows: Row[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? ["raw", "engine"] : ["engine", "raw"];
  const speeds: Record<string, number> = {};
  for (const which of order) {
    const r = which === "raw" ? await raw() : await viaEngine();
    const speed = (r.tokens * 1000) / r.ms;
    speeds[which] = speed;
    (which === "raw" ? rawSpeeds : engineSpeeds).push(speed);
    rows.push({ round, path: which, tokens: r.tokens, ms: Number(r.ms.toFixed(1)), tokensPerSecond: Math.round(speed) });
  }
  pairedRatios.push(speeds.engine! / speeds.raw!);
}

const rawMedian = percentile(rawSpeeds, 50);
const engineMedian = percentile(engineSpeeds, 50);
report("engine-overhead", rows, {
  model: path.basename(modelPath),
  threads,
  device: engine.budget.device,
  rawTokensPerSecond: Math.round(rawMedian),
  engineTokensPerSecond: Math.round(engineMedian),
  ratio: Number((engineMedian / rawMedian).toFixed(3)),
  // Each round's engine/raw pair ran back to back: their median ratio is less sensitive to drift.
  pairedRatioMedian: Number(percentile(pairedRatios, 50).toFixed(3)),
  goal: ">= 0.95",
});

await rawContext.dispose();
await rawModel.dispose();
await engine.close();
await llama.dispose();
