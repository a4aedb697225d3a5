// Thread count by measurement, not by guess, cached on disk per machine, model file and sequence layout.
// Short bursts lie: on a 2-core machine with the other core busy, 2 threads ran 25 ms bursts faster than
// 1 thread and then, sustained, a hundred times slower (llama.cpp's threads wait at a barrier for a
// preempted peer). So each candidate decodes for sustained windows (thread-measure.ts), alone and with
// every sequence the engine runs, in rounds that alternate the order, and more threads win only when
// they are clearly faster in every window (thread-choice.ts). A stored choice records when and why it
// was measured, and expires.
import path from "node:path";
import type { LlamaModel } from "node-llama-cpp";
import type { NodeConfig } from "./config/schema.ts";
import { machineKey, type Hardware } from "./hardware.ts";
import { JsonFileStore } from "./json-file-store.ts";
import { chooseThreads, clearlyFaster, summarize, type ThreadSweepPoint } from "./thread-choice.ts";
import { measureSustained, type SequenceLayout, type SustainedSpeed } from "./thread-measure.ts";
import type { ModelPlan } from "./tuning.ts";

export { chooseThreads, clearlyFaster, summarize, type ThreadSweepPoint } from "./thread-choice.ts";
export { measureSustained, type Batching, type SequenceLayout, type SustainedSpeed } from "./thread-measure.ts";



export type CalibrationMethod = { windowMs: number; rounds: number; minGain: number; layout: SequenceLayout; candidates: number[] };

/** What is stored per machine, model and layout; `version` changes when the method does (older records are re-measured). */
export type CalibrationRecord = {
  version: typeof recordVersion;
  threads: number;
  sweep: ThreadSweepPoint[];
  /** When it was measured (ISO time) and why: first use, expiry, `opus doctor --calibrate`, a slowdown in service. */
  at: string;
  reason: string;
  method: CalibrationMethod;
  /** Wall time of the whole sweep. */
  ms: number;
};

export type ThreadCalibration = CalibrationRecord & { source: "calibrated" | "cached" };

export type CalibrationSettings = {
  /** Length of each sustained measurement window. */
  windowMs: number;
  rounds: number;
  /** More threads must beat fewer by this share in every window (0.1: 10% faster). */
  minGain: number;
  /** A cached choice older than this is measured again. */
  maxAgeMs: number;
};

export type CalibrationOptions = CalibrationSettings & {
  cacheDir: string;
  /** Machine identity (see machineKey in hardware.ts). */
  machineKey: string;
  modelSha256: string;
  /** Logical CPUs to sweep up to. */
  cores: number;
  layout: SequenceLayout;
  /** Context size of each measuring sequence (small: the windows are short; at most the planned one). */
  contextSize: number;
  /** Measure even when a valid cached result exists. */
  force?: boolean;
  /** Why this measurement is made (stored with the result); default "first use" or "cache expired". */
  reason?: string;
  /** Sweep exactly these thread counts (benchmarks, tests); default threadCandidates(cores). */
  candidates?: number[];
  now?: () => number;
};

const recordVersion = 2;
/** Context of each measuring sequence at most: a window decodes a few hundred tokens. */
const measuringContextSize = 512;

export function calibrationSettings(config: NodeConfig): CalibrationSettings {
  const c = config.calibration;
  return { windowMs: c.windowMs, rounds: c.rounds, minGain: c.minGain, maxAgeMs: c.maxAgeHours * 3_600_000 };
}

/** The sequences the engine will run for this plan, arranged as it arranges them. */
export function servingLayout(config: NodeConfig, plan: ModelPlan): SequenceLayout {
  return { sequences: plan.sequences.value, batching: config.generation.batching };
}

/** Calibration options for a model as the node serves it. */
export function calibrationOptionsFor(args: { config: NodeConfig; hardware: Hardware; plan: ModelPlan; modelSha256: string }): CalibrationOptions {
  return {
    ...calibrationSettings(args.config),
    cacheDir: args.config.paths.cacheDir,
    machineKey: machineKey(args.hardware),
    modelSha256: args.modelSha256,
    cores: args.hardware.cpuCores,
    layout: servingLayout(args.config, args.plan),
    // Within the training context too: past it llama.cpp warns, and the windows need no more.
    contextSize: Math.max(64, Math.min(args.plan.contextSize.value, measuringContextSize, args.plan.trainContextSize)),
  };
}

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

/**
 * Rounds over the candidates (in alternating order, so a change of load over time favours none), each
 * candidate measured alone and with all sequences. A candidate with more threads than the current choice
 * that does not beat it is dropped (more windows could only make it look worse, and in doubt fewer
 * threads win): after its window alone when that already fails, else after the round.
 */
export async function sweepThreads(
  model: LlamaModel,
  candidates: number[],
  options: { layout: SequenceLayout; windowMs: number; rounds: number; minGain: number; contextSize: number },
): Promise<ThreadSweepPoint[]> {
  const windows = new Map<number, SustainedSpeed[]>(candidates.map((t) => [t, []]));
  const active = new Set(candidates);
  const points = () => [...windows.entries()].filter(([, w]) => w.length > 0).map(([t, w]) => summarize(t, w));
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? candidates : [...candidates].reverse();
    for (const threads of order) {
      if (!active.has(threads)) continue;
      const own = windows.get(threads)!;
      const measure = (sequences: number) => measureSustained(model, threads, { sequences, batching: options.layout.batching, windowMs: options.windowMs, contextSize: options.contextSize });
      own.push(await measure(1));
      if (options.layout.sequences <= 1) continue;
      // In an ascending round every active candidate with fewer threads is measured by now.
      const fewer = round % 2 === 0 ? points().filter((p) => p.threads < threads && active.has(p.threads)) : [];
      const choice = fewer.find((p) => p.threads === chooseThreads(fewer, options.minGain));
      if (choice && !clearlyFaster(summarize(threads, own.filter((w) => w.sequences === 1)), summarize(choice.threads, choice.windows.filter((w) => w.sequences === 1)), options.minGain)) {
        active.delete(threads);
        continue;
      }
      own.push(await measure(options.layout.sequences));
    }
    const current = points();
    const chosen = current.find((p) => p.threads === chooseThreads(current, options.minGain))!;
    for (const point of current) if (point.threads > chosen.threads && !clearlyFaster(point, chosen, options.minGain)) active.delete(point.threads);
  }
  return points().sort((a, b) => a.threads - b.threads);
}

export function calibrationStore(cacheDir: string): JsonFileStore<CalibrationRecord> {
  return new JsonFileStore<CalibrationRecord>(path.join(cacheDir, "thread-calibration.json"));
}

export function calibrationKey(machine: string, modelSha256: string, gpuLayers: number, layout: SequenceLayout): string {
  return `${machine}|${modelSha256}|gpuLayers=${gpuLayers}|sequences=${layout.sequences}/${layout.batching}`;
}

/** A stored record if it is still to be trusted: this method's version, younger than maxAgeMs. */
export function validRecord(record: CalibrationRecord | undefined, maxAgeMs: number, now: number): { record: CalibrationRecord | null; stale: string | null } {
  if (!record) return { record: null, stale: null };
  if (record.version !== recordVersion) return { record: null, stale: "cached by an older method" };
  const age = now - Date.parse(record.at);
  if (!(age >= 0 && age <= maxAgeMs)) return { record: null, stale: "cache expired" };
  return { record, stale: null };
}

/** The calibrated thread count for this machine, model and layout: a valid cached record, else measured and stored. */
export async function calibrateThreads(model: LlamaModel, options: CalibrationOptions): Promise<ThreadCalibration> {
  const now = options.now ?? Date.now;
  const store = calibrationStore(options.cacheDir);
  const key = calibrationKey(options.machineKey, options.modelSha256, model.gpuLayers, options.layout);
  const cached = validRecord(store.get(key), options.maxAgeMs, now());
  if (!options.force && cached.record) return { ...cached.record, source: "cached" };
  const candidates = options.candidates ?? threadCandidates(options.cores);
  const start = performance.now();
  const sweep = await sweepThreads(model, candidates, options);
  const record: CalibrationRecord = {
    version: recordVersion,
    threads: chooseThreads(sweep, options.minGain),
    sweep,
    at: new Date(now()).toISOString(),
    reason: options.reason ?? cached.stale ?? "first use",
    method: { windowMs: options.windowMs, rounds: options.rounds, minGain: options.minGain, layout: options.layout, candidates },
    ms: performance.now() - start,
  };
  store.set(key, record);
  return { ...record, source: "calibrated" };
}

/** The figure one request should at least reach at the chosen threads: all sequences busy, their share of the parallel speed. */
export function expectedPerRequest(calibration: CalibrationRecord): number | null {
  const point = calibration.sweep.find((p) => p.threads === calibration.threads);
  if (!point) return null;
  const sequences = calibration.method.layout.sequences;
  const parallelShare = point.parallelTokensPerSecond === null ? point.tokensPerSecond : point.parallelTokensPerSecond / sequences;
  return Math.min(point.tokensPerSecond, parallelShare);
}

/** One line for logs and `opus doctor`: each candidate's sustained speeds and the choice. */
export function describeSweep(calibration: CalibrationRecord): string {
  const n = calibration.method.layout.sequences;
  const points = calibration.sweep.map(
    (p) => `${p.threads} threads ${p.tokensPerSecond.toFixed(0)} tok/s${p.parallelTokensPerSecond === null ? "" : ` (${n} at once ${p.parallelTokensPerSecond.toFixed(0)})`}`,
  );
  return `${points.join(", ")} -> ${calibration.threads}`;
}

/** A short note for the chosen setting (the `threads` line of `opus doctor`). */
export function choiceNote(calibration: CalibrationRecord): string {
  const point = calibration.sweep.find((p) => p.threads === calibration.threads);
  const speed = point ? `${point.tokensPerSecond.toFixed(0)} tok/s sustained${point.parallelTokensPerSecond === null ? "" : ` (${calibration.method.layout.sequences} at once ${point.parallelTokensPerSecond.toFixed(0)})`}, ` : "";
  return `${speed}a sweep of ${calibration.sweep.map((p) => p.threads).join(",")}`;
}
