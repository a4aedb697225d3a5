// Thread calibration: the engine's short sweep (its default tokens, time cap and rounds) chooses a
// thread count; then a full sweep over every count from 1 to the number of CPUs, with more tokens and
// rounds, measures all of them in the same run. Ratio = speed at the chosen count / best speed of the
// full sweep. Goal: >= 0.9. A bad count can be hundreds of times slower on a shared machine, so every
// setting is time-capped.
// Run: npx tsx bench/thread-calibration.ts   (OPUS_BENCH_MODEL=<gguf>, OPUS_GPU=false|auto)
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { nodeConfigSchema } from "../gpu-node/engine/index.ts";
import { calibrateThreads, sweepThreads } from "../gpu-node/engine/thread-calibration.ts";
import { report, type Row } from "./report.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const modelPath = path.resolve(process.env.OPUS_BENCH_MODEL ?? path.join(repoRoot, "../shared/models/stories260K.gguf"));
const gpu = process.env.OPUS_GPU === "false" ? false : "auto";
const cores = os.cpus().length;
const defaults = nodeConfigSchema.parse({}).calibration;

const llama = await getLlama({ gpu, build: "never", logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });

const calibrationStart = performance.now();
const chosen = await calibrateThreads(model, {
  cacheDir: path.join(os.tmpdir(), "opus-bench-calibration"),
  machineKey: "bench",
  modelSha256: "bench",
  cores,
  ...defaults,
  force: true,
});
const calibrationMs = performance.now() - calibrationStart;

const every = Array.from({ length: cores }, (_, i) => i + 1);
const full = await sweepThreads(model, every, { tokens: 200, maxMsPerSetting: 5000, rounds: 3 });
const best = full.reduce((a, b) => (b.tokensPerSecond > a.tokensPerSecond ? b : a));
const atChosen = full.find((p) => p.threads === chosen.threads)!;

const rows: Row[] = full.map((p) => ({
  threads: p.threads,
  tokensPerSecond: Math.round(p.tokensPerSecond),
  tokens: p.tokens,
  ms: Number(p.ms.toFixed(1)),
  chosen: p.threads === chosen.threads,
  shortSweepTokensPerSecond: Math.round(chosen.sweep.find((s) => s.threads === p.threads)?.tokensPerSecond ?? Number.NaN),
}));
report("thread-calibration", rows, {
  model: path.basename(modelPath),
  cores,
  chosenThreads: chosen.threads,
  bestThreads: best.threads,
  ratio: Number((atChosen.tokensPerSecond / best.tokensPerSecond).toFixed(3)),
  calibrationMs: Math.round(calibrationMs),
  goal: ">= 0.9",
});
await model.dispose();
await llama.dispose();
