// Thread count by measurement, not by guess: a short sweep of decoding speed at each candidate thread
// count, once per machine and model file, cached on disk. A wrong guess cost 500x on a 2-core machine
// (threads spinning against each other and against other tenants), so every setting is also time-capped.
import path from "node:path";
import { LlamaCompletion, TokenBias, type LlamaModel } from "node-llama-cpp";
import { JsonFileStore } from "./json-file-store.ts";

export type ThreadSweepPoint = { threads: number; tokensPerSecond: number; tokens: number; ms: number };

export type ThreadCalibration = {
  threads: number;
  sweep: ThreadSweepPoint[];
  at: string;
  source: "calibrated" | "cached";
};

export type CalibrationOptions = {
  cacheDir: string;
  /** Machine identity (see machineKey in hardware.ts). */
  machineKey: string;
  modelSha256: string;
  /** Logical CPUs to sweep up to. */
  cores: number;
  tokens: number;
  maxMsPerSetting: number;
  rounds: number;
  /** Sweep even when a cached result exists. */
  force?: boolean;
  /** Sweep exactly these thread counts (benchmarks); default threadCandidates(cores). */
  candidates?: number[];
};

const prompt = "Once upon a time";

/** Every count up to 8 cores; beyond, a coarser ladder that still includes the core count. */
export function threadCandidates(cores: number): number[] {
  const max = Math.max(1, cores);
  if (max <= 8) return Array.from({ length: max }, (_, i) => i + 1);
  const ladder = new Set([1, 2, 4, 6, 8]);
  for (let n = 12; n < max; n += 4) ladder.add(n);
  ladder.add(Math.floor(max / 2));
  ladder.add(max);
  return [...ladder].filter((n) => n <= max).sort((a, b) => a - b);
}

/** Decoding speed of one sequence at `threads`: a warm-up token, then up to `tokens` tokens or `maxMs`. */
export async function measureThreads(model: LlamaModel, threads: number, options: { tokens: number; maxMs: number }): Promise<ThreadSweepPoint> {
  const contextSize = Math.min(model.trainContextSize || 512, Math.max(256, options.tokens + 64));
  const context = await model.createContext({ contextSize, sequences: 1, threads });
  try {
    const sequence = context.getSequence();
    const completion = new LlamaCompletion({ contextSequence: sequence });
    // Never stop early at end-of-text: the measurement needs its full token count.
    const bias = new TokenBias(model.tokenizer);
    if (model.tokens.eos !== null) bias.set(model.tokens.eos, "never");
    if (model.tokens.eot !== null) bias.set(model.tokens.eot, "never");
    await completion.generateCompletion(prompt, { maxTokens: 1, temperature: 0, tokenBias: bias });
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), options.maxMs);
    let tokens = 0;
    const start = performance.now();
    try {
      await completion.generateCompletionWithMeta(prompt, {
        maxTokens: options.tokens,
        temperature: 0,
        tokenBias: bias,
        signal: controller.signal,
        stopOnAbortSignal: true,
        disableContextShift: true,
        onToken: (t) => {
          tokens += t.length;
        },
      });
    } finally {
      clearTimeout(timer);
    }
    const ms = performance.now() - start;
    completion.dispose({ disposeSequence: true });
    return { threads, tokens, ms, tokensPerSecond: ms > 0 ? (tokens * 1000) / ms : 0 };
  } finally {
    await context.dispose();
  }
}

/** The sweep itself: best speed per candidate over `rounds` rounds; hopeless candidates are dropped early. */
export async function sweepThreads(
  model: LlamaModel,
  candidates: number[],
  options: { tokens: number; maxMsPerSetting: number; rounds: number },
): Promise<ThreadSweepPoint[]> {
  const best = new Map<number, ThreadSweepPoint>();
  for (let round = 0; round < options.rounds; round++) {
    const leader = Math.max(0, ...[...best.values()].map((p) => p.tokensPerSecond));
    for (const threads of candidates) {
      const previous = best.get(threads);
      // Re-measuring a setting that ran at a tenth of the leader cannot change the choice.
      if (previous && previous.tokensPerSecond < leader * 0.1) continue;
      const point = await measureThreads(model, threads, { tokens: options.tokens, maxMs: options.maxMsPerSetting });
      if (!previous || point.tokensPerSecond > previous.tokensPerSecond) best.set(threads, point);
    }
  }
  return candidates.map((threads) => best.get(threads)!).filter(Boolean);
}

export function fastest(sweep: ThreadSweepPoint[]): number {
  let chosen = sweep[0]?.threads ?? 1;
  let speed = -1;
  for (const point of sweep) {
    // Ties within 3% go to fewer threads: they leave cores for other work.
    if (point.tokensPerSecond > speed * 1.03) {
      chosen = point.threads;
      speed = point.tokensPerSecond;
    }
  }
  return chosen;
}

type CalibrationRecord = { threads: number; sweep: ThreadSweepPoint[]; at: string };

export function calibrationStore(cacheDir: string): JsonFileStore<CalibrationRecord> {
  return new JsonFileStore<CalibrationRecord>(path.join(cacheDir, "thread-calibration.json"));
}

export function calibrationKey(machine: string, modelSha256: string, gpuLayers: number): string {
  return `${machine}|${modelSha256}|gpuLayers=${gpuLayers}`;
}

/** The calibrated thread count for this machine and model: from the disk cache, else measured and stored. */
export async function calibrateThreads(model: LlamaModel, options: CalibrationOptions): Promise<ThreadCalibration> {
  const store = calibrationStore(options.cacheDir);
  const key = calibrationKey(options.machineKey, options.modelSha256, model.gpuLayers);
  if (!options.force) {
    const cached = store.get(key);
    if (cached) return { ...cached, source: "cached" };
  }
  const sweep = await sweepThreads(model, options.candidates ?? threadCandidates(options.cores), options);
  const record: CalibrationRecord = { threads: fastest(sweep), sweep, at: new Date().toISOString() };
  store.set(key, record);
  return { ...record, source: "calibrated" };
}
