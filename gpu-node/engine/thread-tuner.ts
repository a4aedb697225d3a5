// Threads in service. Each loaded model's decoding speed is followed over its recent requests
// (SpeedMonitor); when it falls far below what the thread calibration promised, the threads are measured
// again under the machine's present load and the model's contexts are rebuilt at the new count. The
// calibration in force, the in-service figure and every re-calibration with its reason are logged,
// kept on disk for `opus doctor` (another process), and reported by describe().
import path from "node:path";
import type { NodeConfig } from "./config/schema.ts";
import { EngineClosedError } from "./errors.ts";
import type { FileHasher } from "./file-hash.ts";
import { machineKey, type Hardware } from "./hardware.ts";
import { JsonFileStore } from "./json-file-store.ts";
import { createServingContexts, type LoadedModel } from "./model-loader.ts";
import type { ModelPool, PooledModel } from "./model-pool.ts";
import type { Lease, Scheduler } from "./scheduler.ts";
import { SpeedMonitor, type RecentSpeed, type SpeedSample } from "./speed-monitor.ts";
import {
  calibrateThreads,
  calibrationKey,
  calibrationOptionsFor,
  calibrationStore,
  choiceNote,
  describeSweep,
  expectedPerRequest,
  servingLayout,
  validRecord,
  calibrationSettings,
  type CalibrationRecord,
  type ThreadCalibration,
} from "./thread-calibration.ts";

/**
 * A slowdown seen in service and what was done: measured again ("re-calibrated"), or not, because the
 * model already ran on one thread and fewer threads cannot help ("kept": the machine is busy).
 */
export type Recalibration = { at: string; reason: string; action: "re-calibrated" | "kept"; fromThreads: number; toThreads: number; ms: number };

export type ThreadStatus = {
  /** The calibration in force for the loaded model, or the one stored for it. */
  calibration: {
    threads: number;
    at: string;
    reason: string;
    source: "calibrated" | "cached";
    windowMs: number;
    rounds: number;
    sweep: string;
    /** Tokens/s one request should at least reach with every sequence busy. */
    expectedPerRequest: number | null;
  } | null;
  /** Recent requests' decoding speed: live in this process, or as the last serving process recorded it. */
  service: (RecentSpeed & { live: boolean }) | null;
  recalibrations: Recalibration[];
};

type ServiceRecord = { at: string; tokensPerSecond: number | null; requests: number; tokens: number; threads: number; recalibrations: Recalibration[] };

type Watch = { loaded: LoadedModel; monitor: SpeedMonitor; key: string | null; savedAt: number };

export type ThreadTunerDeps = {
  config: NodeConfig;
  hardware: Hardware;
  hasher: FileHasher;
  pool: ModelPool;
  scheduler: Scheduler;
  log: (level: "info" | "warn" | "error", message: string) => void;
};

/** The in-service figure is written to disk at most this often per model (doctor reads it). */
const saveEveryMs = 15_000;
/** Re-calibrations remembered per model. */
const historyLength = 5;

export class ThreadTuner {
  private readonly watches = new Map<PooledModel, Watch>();
  private readonly history = new Map<PooledModel, Recalibration[]>();
  private readonly lastRecalibration = new Map<PooledModel, number>();
  private readonly running = new Map<PooledModel, Promise<ThreadCalibration>>();
  private readonly serviceStore: JsonFileStore<ServiceRecord>;

  constructor(private readonly deps: ThreadTunerDeps) {
    this.serviceStore = new JsonFileStore<ServiceRecord>(path.join(deps.config.paths.cacheDir, "thread-service.json"));
  }

  /** Whether the node chooses this model's threads (an explicit count is left alone). */
  private tuned(model: PooledModel): boolean {
    return model.spec.threads === "auto" && this.deps.config.features.threadCalibration;
  }

  private watchFor(model: PooledModel, loaded: LoadedModel): Watch {
    let watch = this.watches.get(model);
    if (watch && watch.loaded === loaded) return watch;
    // A new load (or the first request): a new promise to hold it to.
    const c = this.deps.config.calibration;
    const monitor = new SpeedMonitor(
      { windowRequests: c.windowRequests, minRequests: c.minRequests, minTokens: c.minTokens, slowFactor: c.slowFactor },
      loaded.calibration && this.tuned(model) ? expectedPerRequest(loaded.calibration) : null,
    );
    watch = { loaded, monitor, key: null, savedAt: 0 };
    this.watches.set(model, watch);
    if (loaded.calibration) {
      const target = watch;
      void this.keyOf(model).then((key) => (target.key = key), () => undefined);
    }
    return watch;
  }

  private async keyOf(model: PooledModel): Promise<string | null> {
    const prepared = model.prepared;
    if (!prepared) return null;
    const sha = await model.sha256(this.deps.hasher, prepared.filePath);
    return calibrationKey(machineKey(this.deps.hardware), sha, prepared.plan.gpuLayers.value, servingLayout(this.deps.config, prepared.plan));
  }

  /**
   * One finished request's decoding (after its first token; requests under a grammar are not given:
   * they measure the grammar). Starts a re-calibration when the rolling speed is far below the promise.
   */
  observe(model: PooledModel, loaded: LoadedModel, sample: SpeedSample): void {
    if (this.running.has(model)) return;
    const watch = this.watchFor(model, loaded);
    const slow = watch.monitor.record(sample);
    if (watch.key && (slow || Date.now() - watch.savedAt > saveEveryMs)) this.save(model, watch);
    if (!slow) return;
    const last = this.lastRecalibration.get(model);
    if (last !== undefined && Date.now() - last < this.deps.config.calibration.cooldownMs) return;
    const reason =
      `slow in service: ${slow.recentTokensPerSecond.toFixed(1)} tok/s per request over the last ${slow.requests} requests ` +
      `against at least ${slow.expectedTokensPerSecond.toFixed(0)} calibrated at ${loaded.threads.value} threads`;
    if (loaded.threads.value <= 1) {
      // One thread cannot stall on its peers, and fewer is not possible: the machine is busy, the threads are not wrong.
      this.lastRecalibration.set(model, Date.now());
      this.remember(model, { at: new Date().toISOString(), reason, action: "kept", fromThreads: 1, toThreads: 1, ms: 0 });
      this.deps.log("info", `model "${model.id}": ${reason}; already on one thread, so the machine is busy: not measuring again`);
      if (watch.key) this.save(model, watch);
      return;
    }
    this.deps.log("warn", `model "${model.id}": ${reason}; measuring threads again`);
    this.recalibrate(model, reason).catch((error: unknown) => {
      // Closing the engine ends a re-calibration that was waiting for sequences: not a failure.
      if (!(error instanceof EngineClosedError)) this.deps.log("error", `model "${model.id}": thread re-calibration failed: ${(error as Error).message}`);
    });
  }

  /**
   * Measures the model's threads again now (loading it if needed) and rebuilds its contexts at the
   * result. Every sequence is held meanwhile, so no request decodes during the measurement (it would
   * be measured too) and none holds a context that is replaced.
   */
  recalibrate(model: PooledModel, reason: string): Promise<ThreadCalibration> {
    const running = this.running.get(model);
    if (running) return running;
    const job = this.run(model, reason).finally(() => this.running.delete(model));
    this.running.set(model, job);
    return job;
  }

  private async holdAll(model: PooledModel, count: number): Promise<Lease[]> {
    const wait = this.deps.config.generation.requestTimeoutMs;
    const settled = await Promise.allSettled(Array.from({ length: count }, () => this.deps.scheduler.acquire(model, { priority: "S", timeoutMs: wait, uncapped: true, limited: false })));
    const leases = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed || leases.some((l) => l.loaded !== leases[0]?.loaded)) {
      for (const lease of leases) lease.release();
      throw failed ? failed.reason : new Error("the model was reloaded while its sequences were being gathered");
    }
    return leases;
  }

  private async run(model: PooledModel, reason: string): Promise<ThreadCalibration> {
    const { config, hardware, hasher, pool } = this.deps;
    this.lastRecalibration.set(model, Date.now());
    const prepared = await pool.prepare(model);
    const leases = await this.holdAll(model, prepared.plan.sequences.value);
    const loaded = leases[0]!.loaded;
    let rebuilt = false;
    try {
      const before = loaded.threads.value;
      const start = performance.now();
      for (const context of loaded.contexts) await context.dispose();
      loaded.contexts = [];
      let calibration: ThreadCalibration | undefined;
      let failure: unknown;
      try {
        const options = calibrationOptionsFor({ config, hardware, plan: prepared.plan, modelSha256: await model.sha256(hasher, prepared.filePath) });
        calibration = await calibrateThreads(loaded.model, { ...options, force: true, reason });
      } catch (error) {
        failure = error;
      }
      const threads = calibration && this.tuned(model) ? calibration.threads : before;
      const fresh = await createServingContexts(loaded.model, prepared.plan, threads, config.generation.batching);
      loaded.contexts = fresh.contexts;
      loaded.freeSequences.push(...fresh.freeSequences);
      rebuilt = true;
      if (!calibration) throw failure;
      if (this.tuned(model)) {
        loaded.threads = { value: threads, source: "calibrated", note: choiceNote(calibration) };
        loaded.calibration = calibration;
      }
      const event: Recalibration = { at: calibration.at, reason, action: "re-calibrated", fromThreads: before, toThreads: threads, ms: performance.now() - start };
      this.remember(model, event);
      const watch = this.watchFor(model, loaded);
      watch.monitor.reset(this.tuned(model) ? expectedPerRequest(calibration) : null);
      watch.key ??= await this.keyOf(model);
      if (watch.key) this.save(model, watch);
      this.deps.log("info", `model "${model.id}": threads re-calibrated in ${event.ms.toFixed(0)} ms (${reason}): ${describeSweep(calibration)}; threads ${before} -> ${threads}`);
      return calibration;
    } finally {
      for (const lease of leases) lease.release();
      // Without contexts the model cannot serve: unload it, so that the next request loads it afresh.
      if (!rebuilt) await pool.unload(model).catch(() => undefined);
    }
  }

  private remember(model: PooledModel, event: Recalibration): void {
    this.history.set(model, [...(this.history.get(model) ?? []), event].slice(-historyLength));
  }

  private save(model: PooledModel, watch: Watch): void {
    const recent = watch.monitor.recent();
    watch.savedAt = Date.now();
    try {
      this.serviceStore.set(watch.key!, { at: recent.at ?? new Date().toISOString(), tokensPerSecond: recent.tokensPerSecond, requests: recent.requests, tokens: recent.tokens, threads: watch.loaded.threads.value, recalibrations: this.history.get(model) ?? [] });
    } catch (error) {
      this.deps.log("warn", `could not record the in-service speed of model "${model.id}": ${(error as Error).message}`);
    }
  }

  /** The stored calibration of a prepared model if it is still valid (what its next load would use). */
  async storedCalibration(model: PooledModel): Promise<CalibrationRecord | null> {
    const key = await this.keyOf(model);
    if (!key) return null;
    return validRecord(calibrationStore(this.deps.config.paths.cacheDir).get(key), calibrationSettings(this.deps.config).maxAgeMs, Date.now()).record;
  }

  /** What `opus doctor` shows about a prepared model's threads; null when nothing was measured. */
  async status(model: PooledModel): Promise<ThreadStatus | null> {
    const loaded = model.loaded;
    const live = this.watches.get(model);
    const key = this.tuned(model) ? await this.keyOf(model).catch(() => null) : null;
    const calibration: ThreadCalibration | null = loaded?.calibration ?? (this.tuned(model) ? await this.storedCalibration(model).then((r) => (r ? { ...r, source: "cached" as const } : null)) : null);
    const stored = key ? this.serviceStore.get(key) : undefined;
    // The live window when it holds requests, else the last one recorded with requests in it.
    const liveRecent = live && live.loaded === loaded ? live.monitor.recent() : null;
    const service =
      liveRecent && liveRecent.requests > 0
        ? { ...liveRecent, live: true }
        : stored && stored.requests > 0
          ? { tokensPerSecond: stored.tokensPerSecond, requests: stored.requests, tokens: stored.tokens, at: stored.at, live: false }
          : null;
    const recalibrations = this.history.get(model) ?? stored?.recalibrations ?? [];
    if (!calibration && !service && recalibrations.length === 0) return null;
    return {
      calibration: calibration
        ? {
            threads: calibration.threads,
            at: calibration.at,
            reason: calibration.reason,
            source: calibration.source,
            windowMs: calibration.method.windowMs,
            rounds: calibration.method.rounds,
            sweep: describeSweep(calibration),
            expectedPerRequest: expectedPerRequest(calibration),
          }
        : null,
      service,
      recalibrations,
    };
  }

  /** Waits for re-calibrations in flight and records the last in-service figures (engine close). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.running.values()]);
    for (const [model, watch] of this.watches) if (watch.key && watch.monitor.recent().requests > 0) this.save(model, watch);
  }
}
