// The GPU node's inference engine, assembled from named parts, each with its own state, in the
// manner of node-llama-cpp's own classes:
//   ModelPool / PooledModel (model-pool.ts)  the registered models, their preparation, loads and memory
//   Scheduler (scheduler.ts)                 the priority queue that hands out context sequences
//   Requests (requests.ts)                   one generation: cache, sequence, timeout, metrics
//   SeededAnswers (seeded-answers.ts)        replays seeded requests from the response cache
//   JsonGrammars (grammars.ts)               compiled JSON-schema grammars
//   HealthCheck (health.ts)                  readiness by a real token
//   Describer (describe.ts)                  what `opus doctor` and the reproducibility record show
// The GPU node server and the generation pipeline use it through the Engine type below.
import { getLlama, LlamaLogLevel, type Llama } from "node-llama-cpp";
import type { Registry } from "prom-client";
import type { NodeDb } from "../db/client.ts";
import { createNodeLogger } from "../telemetry/log.ts";
import type { NodeConfig } from "./config/schema.ts";
import { Describer, promptStyleOf, type EngineDescription, type ModelInfo } from "./describe.ts";
import { FileHasher } from "./file-hash.ts";
import { JsonGrammars } from "./grammars.ts";
import { detectHardware, type Hardware } from "./hardware.ts";
import { HealthCheck, type HealthResult } from "./health.ts";
import { resolveMemoryBudget, type MemoryBudget } from "./memory-budget.ts";
import { createEngineMetrics } from "./metrics.ts";
import { ModelPool, type PooledModel, type PooledModelState } from "./model-pool.ts";
import { validateChatRequest, validateCompletionRequest, type ChatRequest, type CompletionRequest, type CompletionResult } from "./request.ts";
import { Requests } from "./requests.ts";
import { ResponseCache } from "./response-cache.ts";
import { Scheduler, type Priority } from "./scheduler.ts";
import { SeededAnswers } from "./seeded-answers.ts";
import type { ThreadCalibration } from "./thread-calibration.ts";
import { ThreadTuner } from "./thread-tuner.ts";
import type { ModelPlan } from "./tuning.ts";

export type { EngineDescription, HealthResult, ModelInfo };
export type { ModelDescription } from "./describe.ts";

export type EngineLogger = (level: "error" | "warn" | "info" | "debug", message: string) => void;

export type EngineStats = {
  queueDepth: number;
  models: { id: string; state: PooledModelState; active: number; loads: number; evictions: number; lastUsedAt: number; queued: number }[];
};

export type Engine = {
  readonly config: NodeConfig;
  readonly metricsRegistry: Registry;
  readonly hardware: Hardware;
  readonly budget: MemoryBudget;
  complete(request: CompletionRequest): Promise<CompletionResult>;
  chat(request: ChatRequest): Promise<CompletionResult>;
  health(): Promise<HealthResult>;
  describe(options?: { resolveThreads?: boolean }): Promise<EngineDescription>;
  modelInfo(model?: string): Promise<ModelInfo>;
  tokenize(text: string, model?: string): Promise<number[]>;
  countTokens(text: string, model?: string): Promise<number>;
  /** Tokens per sequence of the model's context (the loaded context's, else the plan's). */
  contextSize(model?: string): Promise<number>;
  /**
   * How the model is best prompted: "chat" when its GGUF file carries a chat template (an instruct
   * model) or its `chatWrapper` is set explicitly, else "completion" (a base model continues text).
   */
  promptStyle(model?: string): Promise<"chat" | "completion">;
  /** The plan (settings and memory estimate) for a model, without loading it. */
  plan(model?: string): Promise<ModelPlan>;
  /** Loads a model now (sharing any load in flight), evicting idle ones if the budget needs it. */
  loadModel(model?: string): Promise<void>;
  /** Unloads an idle model; refuses while one of its sequences is generating. */
  unloadModel(model: string): Promise<void>;
  /** Runs the thread sweep for a model (loading it), fresh when force is set; the loaded model takes the result. */
  calibrateThreads(model?: string, options?: { force?: boolean; reason?: string }): Promise<ThreadCalibration>;
  stats(): EngineStats;
  close(): Promise<void>;
};

const llamaLogLevels: Record<NodeConfig["logLevel"], LlamaLogLevel> = {
  error: LlamaLogLevel.error,
  warn: LlamaLogLevel.warn,
  info: LlamaLogLevel.warn,
  debug: LlamaLogLevel.debug,
};

/** An engine on its own (benchmarks, tools) logs like the node, to stderr; the node passes its own logger. */
function defaultLogger(config: NodeConfig): EngineLogger {
  return createNodeLogger({ level: config.logLevel, format: config.logFormat, fields: { component: "engine" } }).log;
}

export type CreateEngineOptions = {
  /** The node's libSQL database: enables the persistent level of the response cache. */
  db?: NodeDb;
  /** Where the engine tells what it does (the node's logger, from gpu-node/main.ts); default: stderr at config.logLevel. */
  logger?: EngineLogger;
  /** Reuse a Llama instance (benchmarks compare against raw node-llama-cpp on the same one). */
  llama?: Llama;
};

function startLlama(config: NodeConfig, log: EngineLogger): Promise<Llama> {
  return getLlama({
    gpu: config.gpu,
    build: "never",
    logLevel: llamaLogLevels[config.logLevel],
    logger: (level, message) => {
      const text = message.trim();
      if (!text) return;
      if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) log("error", `llama.cpp: ${text}`);
      else if (level === LlamaLogLevel.warn) log("warn", `llama.cpp: ${text}`);
      else log("debug", `llama.cpp: ${text}`);
    },
  });
}

export async function createEngine(config: NodeConfig, options: CreateEngineOptions = {}): Promise<Engine> {
  const log = options.logger ?? defaultLogger(config);
  const ownsLlama = !options.llama;
  const llama = options.llama ?? (await startLlama(config, log));
  const hardware = await detectHardware(llama);
  const budget = resolveMemoryBudget(config.memory, hardware);
  const metrics = createEngineMetrics({ processMetrics: config.features.processMetrics });
  metrics.memoryBudget.set({ device: budget.device }, budget.bytes);
  const hasher = new FileHasher(config.paths.cacheDir);
  const pool = new ModelPool({ llama, config, hardware, budget, hasher, metrics, log: (level, message) => log(level, message) });
  const scheduler = new Scheduler(pool, config.queue, metrics);
  const cache = config.features.responseCache
    ? new ResponseCache({ memoryEntries: config.cache.memoryEntries, db: config.cache.persistent ? (options.db ?? null) : null, persistentMaxEntries: config.cache.persistentMaxEntries, metrics })
    : null;
  const answers = cache ? new SeededAnswers(cache, pool, hasher) : null;
  const threads = new ThreadTuner({ config, hardware, hasher, pool, scheduler, log: (level, message) => log(level, message) });
  const requests = new Requests({ config, scheduler, metrics, grammars: new JsonGrammars(llama), answers, threads });
  const health = new HealthCheck({ config, pool, scheduler, requests });
  const describer = new Describer({ config, hardware, budget, pool, hasher, persistentCache: cache?.persistent ?? false, threads });
  let closing: Promise<void> | null = null;

  const modelFor = (model: string | undefined): PooledModel => pool.resolve(model ?? "generator");

  /** Validates a caller's request; an invalid one is counted against the model it named. */
  function validated<T>(validate: () => T, model: string | undefined): T {
    try {
      return validate();
    } catch (error) {
      let named: PooledModel | null = null;
      try {
        named = modelFor(model);
      } catch {
        named = null;
      }
      requests.count(named, "invalid");
      throw error;
    }
  }

  const engine: Engine = {
    config,
    metricsRegistry: metrics.registry,
    hardware,
    budget,

    async complete(request) {
      const { prompt, ...rest } = validated(() => validateCompletionRequest(request, config), request?.model);
      return requests.run(modelFor(rest.model), { kind: "complete", prompt }, rest);
    },

    async chat(request) {
      const { messages, ...rest } = validated(() => validateChatRequest(request, config), request?.model);
      return requests.run(modelFor(rest.model), { kind: "chat", messages }, rest);
    },

    health: () => health.run(),

    describe: (describeOptions = {}) => describer.describe(describeOptions.resolveThreads ?? true),

    async modelInfo(model) {
      return describer.modelInfo(modelFor(model));
    },

    async tokenize(text, model) {
      const pooled = modelFor(model);
      const prepared = await pool.prepare(pooled);
      const llamaModel = pooled.loaded?.model ?? (await pooled.vocabulary(llama, prepared.filePath));
      return [...llamaModel.tokenize(text)];
    },

    async countTokens(text, model) {
      return (await engine.tokenize(text, model)).length;
    },

    async contextSize(model) {
      const pooled = modelFor(model);
      if (pooled.loaded) return pooled.loaded.contextSize;
      return (await pool.prepare(pooled)).plan.contextSize.value;
    },

    async promptStyle(model) {
      const pooled = modelFor(model);
      return promptStyleOf(pooled.spec, await pool.prepare(pooled));
    },

    async plan(model) {
      return (await pool.prepare(modelFor(model))).plan;
    },

    async loadModel(model) {
      await scheduler.ensureLoaded(modelFor(model), { priority: "S", timeoutMs: config.generation.requestTimeoutMs });
    },

    async unloadModel(model) {
      await pool.unload(modelFor(model));
      scheduler.pump();
    },

    async calibrateThreads(model, calibrateOptions = {}) {
      const pooled = modelFor(model);
      const wasLoaded = pooled.loaded !== undefined;
      const loaded = await scheduler.ensureLoaded(pooled, { priority: "S", timeoutMs: config.generation.requestTimeoutMs });
      // A load that had to measure has just measured: a forced calibration need not measure twice.
      if (loaded.calibration && (!calibrateOptions.force || (!wasLoaded && loaded.calibration.source === "calibrated"))) return loaded.calibration;
      return threads.recalibrate(pooled, calibrateOptions.reason ?? "asked for (opus doctor --calibrate)");
    },

    stats() {
      return {
        queueDepth: scheduler.depth,
        models: [...pool.models.values()].map((m) => ({
          id: m.id,
          state: m.state,
          active: m.active,
          loads: m.loads,
          evictions: m.evictions,
          lastUsedAt: m.lastUsedAt,
          queued: scheduler.depthOf(m),
        })),
      };
    },

    close() {
      closing ??= (async () => {
        scheduler.close();
        requests.close();
        // Generations stop at their next token; wait for them to hand their sequences back.
        const deadline = Date.now() + 10_000;
        while ([...pool.models.values()].some((m) => m.active > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        await threads.close();
        await pool.closeAll();
        if (ownsLlama) await llama.dispose();
      })();
      return closing;
    },
  };
  return engine;
}

export type { Priority };
