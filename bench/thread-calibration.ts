// Thread calibration as a user gets it: a cold first run (a fresh cache folder, the engine's own load
// path with threads "auto") while the machine does other work (busy child processes, bounded in time).
// Several cold runs each choose a thread count; then a long sustained sweep of every count from 1 to the
// number of CPUs, alone and with the engine's sequences at once, under the same load, measures them all.
// Ratio = sustained speed at the chosen count / best sustained speed (alone and all together; the
// worse of the two counts). Goal: >= 0.9 in every cold run, and a first run of a few seconds. For
// comparison it also reports what the former short-burst sweep chose under the same load.
// Run: npx tsx bench/thread-calibration.ts
//   OPUS_BENCH_MODEL=<gguf>  OPUS_GPU=false|auto  OPUS_BENCH_LOAD=<busy processes, default half the CPUs>
//   OPUS_BENCH_COLD_RUNS=<n, default 3>  OPUS_BENCH_WINDOW_MS=<full sweep window, default 2000>  OPUS_BENCH_ROUNDS=<default 3>
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import { createEngine } from "../gpu-node/engine/index.ts";
import { nodeConfigSchema, type NodeConfig } from "../gpu-node/config/index.ts";
import { measureSustained, type Batching } from "../gpu-node/engine/thread-calibration.ts";
import { benchModelPath } from "./bench-model.ts";
import { report, type Row } from "./report.ts";

const modelPath = benchModelPath();
const gpu = process.env.OPUS_GPU === "false" ? false : "auto";
const cores = os.cpus().length;
const loadProcesses = Number(process.env.OPUS_BENCH_LOAD ?? Math.max(1, Math.floor(cores / 2)));
const coldRuns = Number(process.env.OPUS_BENCH_COLD_RUNS ?? 3);
const fullWindowMs = Number(process.env.OPUS_BENCH_WINDOW_MS ?? 2000);
const fullRounds = Number(process.env.OPUS_BENCH_ROUNDS ?? 3);
const batching: Batching = "isolated";

/** Busy loops in child processes, each ending by itself after `ms` (and killed when the benchmark ends). */
function startLoad(count: number, ms: number): ChildProcess[] {
  const script = `const end = Date.now() + ${ms}; let x = 0; while (Date.now() < end) x++;`;
  const children = Array.from({ length: count }, () => spawn(process.execPath, ["-e", script], { stdio: "ignore" }));
  process.once("exit", () => children.forEach((c) => c.kill("SIGKILL")));
  return children;
}

function engineConfig(cacheDir: string): NodeConfig {
  return {
    ...nodeConfigSchema.parse({
      gpu,
      logLevel: "error",
      models: [{ id: "m", source: modelPath }],
      generation: { batching },
      features: { threadCalibration: true, responseCache: false, processMetrics: false },
      paths: { cacheDir, modelsDir: path.join(cacheDir, "models"), database: path.join(cacheDir, "node.db") },
    }),
    configFile: null,
  };
}

const candidates = Array.from({ length: cores }, (_, i) => i + 1);
// Long enough for the cold runs and the full sweep together; the children end by themselves after it.
const loadMs = (coldRuns * 25 + candidates.length * fullRounds * 2 * (fullWindowMs / 1000 + 0.5) + 30) * 1000;
const load = startLoad(loadProcesses, loadMs);
await new Promise((r) => setTimeout(r, 500));

try {
  // 1. Cold first runs: what a new user's first `opus generate` chooses.
  const cold: { threads: number; ms: number; sequences: number; sweep: string }[] = [];
  for (let run = 0; run < coldRuns; run++) {
    const config = engineConfig(mkdtempSync(path.join(os.tmpdir(), "opus-bench-cold-")));
    const engine = await createEngine(config);
    try {
      const start = performance.now();
      await engine.loadModel("m");
      const loadMsTotal = performance.now() - start;
      const calibration = await engine.calibrateThreads("m");
      const sequences = calibration.method.layout.sequences;
      cold.push({
        threads: calibration.threads,
        ms: loadMsTotal,
        sequences,
        sweep: calibration.sweep.map((p) => `${p.threads}:${p.tokensPerSecond.toFixed(0)}/${p.parallelTokensPerSecond?.toFixed(0) ?? "-"}`).join(" "),
      });
    } finally {
      await engine.close();
    }
  }
  const sequences = cold[0]!.sequences;
  const llama = await getLlama({ gpu, build: "never", logLevel: LlamaLogLevel.error });
  const model = await llama.loadModel({ modelPath });

  // For comparison, what the former calibration chose under the same load: the fastest of short bursts
  // (about 32 tokens, one sequence, 2 rounds, ties within 3% to fewer threads).
  const burstChoices: number[] = [];
  for (let run = 0; run < coldRuns; run++) {
    const best = new Map<number, number>();
    for (let round = 0; round < 2; round++) {
      for (const threads of candidates) {
        const burst = await measureSustained(model, threads, { sequences: 1, batching, windowMs: 25, contextSize: 512 });
        best.set(threads, Math.max(best.get(threads) ?? 0, burst.tokensPerSecond));
      }
    }
    let chosen = candidates[0]!;
    for (const threads of candidates) if (best.get(threads)! > best.get(chosen)! * 1.03) chosen = threads;
    burstChoices.push(chosen);
  }

  // 2. The full sustained sweep, under the same load: every count, long windows, alternating order.
  const totals = new Map(candidates.map((t) => [t, { alone: { tokens: 0, ms: 0 }, together: { tokens: 0, ms: 0 }, worstAlone: Infinity }]));
  for (let round = 0; round < fullRounds; round++) {
    for (const threads of round % 2 === 0 ? candidates : [...candidates].reverse()) {
      const t = totals.get(threads)!;
      const alone = await measureSustained(model, threads, { sequences: 1, batching, windowMs: fullWindowMs, contextSize: 512 });
      t.alone.tokens += alone.tokens;
      t.alone.ms += alone.ms;
      t.worstAlone = Math.min(t.worstAlone, alone.tokensPerSecond);
      if (sequences > 1) {
        const together = await measureSustained(model, threads, { sequences, batching, windowMs: fullWindowMs, contextSize: 512 });
        t.together.tokens += together.tokens;
        t.together.ms += together.ms;
      }
    }
  }
  await model.dispose();
  await llama.dispose();

  const speed = (x: { tokens: number; ms: number }) => (x.ms > 0 ? (x.tokens * 1000) / x.ms : Number.NaN);
  const aloneOf = (t: number) => speed(totals.get(t)!.alone);
  const togetherOf = (t: number) => (sequences > 1 ? speed(totals.get(t)!.together) : aloneOf(t));
  const bestAlone = Math.max(...candidates.map(aloneOf));
  const bestTogether = Math.max(...candidates.map(togetherOf));
  const ratioOf = (t: number) => Math.min(aloneOf(t) / bestAlone, togetherOf(t) / bestTogether);

  const rows: Row[] = candidates.map((t) => ({
    threads: t,
    aloneTokensPerSecond: Math.round(aloneOf(t)),
    worstWindowAlone: Math.round(totals.get(t)!.worstAlone),
    [`${sequences}AtOnceTokensPerSecond`]: Math.round(togetherOf(t)),
    ratio: Number(ratioOf(t).toFixed(3)),
    chosenInColdRuns: cold.filter((c) => c.threads === t).length,
  }));
  const ratios = cold.map((c) => ratioOf(c.threads));
  const coldRows: Row[] = cold.map((c, i) => ({ coldRun: i + 1, chosenThreads: c.threads, ratio: Number(ratios[i]!.toFixed(3)), firstLoadMs: Math.round(c.ms), sweep: c.sweep }));
  console.table(coldRows);
  report("thread-calibration", rows, {
    model: path.basename(modelPath),
    cores,
    loadProcesses,
    sequences,
    coldRuns,
    coldChoices: cold.map((c) => c.threads).join(","),
    burstChoices: burstChoices.join(","),
    burstWorstRatio: Number(Math.min(...burstChoices.map(ratioOf)).toFixed(3)),
    coldRatios: ratios.map((r) => r.toFixed(3)).join(","),
    coldFirstLoadMs: cold.map((c) => Math.round(c.ms)).join(","),
    worstRatio: Number(Math.min(...ratios).toFixed(3)),
    firstLoadMsMax: Math.round(Math.max(...cold.map((c) => c.ms))),
    fullSweepWindowMs: fullWindowMs,
    fullSweepRounds: fullRounds,
    goal: "ratio >= 0.9 in every cold run; first load a few seconds",
  });
} finally {
  for (const child of load) child.kill("SIGKILL");
}
