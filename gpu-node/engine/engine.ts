// The GPU node's inference engine: one Llama backend, a pool of registered models under a memory budget,
// admission control over their context sequences, a seeded-response cache, and Prometheus metrics.
// The GPU node server and the generation pipeline use it through the Engine type below.
import { randomInt } from "node:crypto";
import { getLlama, LlamaLogLevel, resolveModelFile, type Llama, type LlamaGrammar } from "node-llama-cpp";
import type { Registry } from "prom-client";
import type { NodeDb } from "../db/client.ts";
import type { NodeConfig } from "./config/schema.ts";
import { EngineClosedError, EngineError, GenerationTimeoutError, InvalidRequestError, PromptTooLongError, QueueFullError, QueueTimeoutError } from "./errors.ts";
import { FileHasher } from "./file-hash.ts";
import { generateOnSequence, type GenerationInput, type GenerationOutput } from "./generation.ts";
import { detectHardware, machineKey, type Hardware } from "./hardware.ts";
import { checkGrammarSchema } from "./json-schema-check.ts";
import { LruMap } from "./lru.ts";
import { resolveMemoryBudget, type MemoryBudget } from "./memory-budget.ts";
import { createEngineMetrics, type EngineMetrics, type RequestOutcome } from "./metrics.ts";
import { isRemoteModelSource } from "./model-source.ts";
import { ModelPool, type PoolEntry, type PreparedModel } from "./model-pool.ts";
import { validateChatRequest, validateCompletionRequest, type ChatRequest, type CompletionRequest, type CompletionResult } from "./request.ts";
import { cacheKey, ResponseCache } from "./response-cache.ts";
import { Scheduler, type Priority } from "./scheduler.ts";
import { calibrateThreads, calibrationKey, calibrationStore, type ThreadCalibration } from "./thread-calibration.ts";
import type { Chosen, ModelPlan, SettingSource } from "./tuning.ts";

export type EngineLogger = (level: "error" | "warn" | "info" | "debug", message: string) => void;

export type HealthResult = {
  ok: boolean;
  model: string;
  /** Time to generate the health token, or null when the check passed on recent tokens of a busy model. */
  tokenMs: number | null;
  /** "generated": a token was generated now; "recent-token": all sequences busy and producing tokens. */
  check: "generated" | "recent-token" | "failed";
  loadedModels: string[];
  queueDepth: number;
  error?: string;
};

export type ModelDescription = {
  id: string;
  roles: string[];
  source: string;
  file: string | null;
  state: PoolEntry["state"];
  loads: number;
  evictions: number;
  activeSequences: number;
  settings: {
    contextSize: Chosen<number>;
    batchSize: Chosen<number>;
    sequences: Chosen<number>;
    gpuLayers: Chosen<number> & { totalLayers: number };
    threads: Chosen<number | null>;
  } | null;
  memory: { footprintBytes: number; capBytes: number; modelRam: number; modelVram: number; contextRam: number; contextVram: number } | null;
  trainContextSize: number | null;
  chatWrapper: string | null;
  /** How the pipeline prompts this model (see Engine.promptStyle). */
  promptStyle: "chat" | "completion" | null;
  warnings: string[];
  /** Why the model could not be prepared (missing file, offline download, too large). */
  error?: string;
};

export type EngineDescription = {
  profile: NodeConfig["profile"];
  configFile: string | null;
  hardware: Hardware;
  budget: MemoryBudget;
  models: ModelDescription[];
  queue: NodeConfig["queue"];
  features: NodeConfig["features"];
  cache: { memoryEntries: number; persistent: boolean };
};

export type ModelInfo = {
  id: string;
  roles: string[];
  source: string;
  file: string;
  sha256: string;
  sizeBytes: number;
  name: string | null;
  architecture: string | null;
  fileType: string | null;
  trainContextSize: number;
  contextSize: number;
  sequences: number;
  gpuLayers: number;
  threads: number | null;
};

export type EngineStats = {
  queueDepth: number;
  models: { id: string; state: PoolEntry["state"]; active: number; loads: number; evictions: number; lastUsedAt: number; queued: number }[];
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
  /** Runs the thread sweep for a model (loading it), fresh when force is set. */
  calibrateThreads(model?: string, options?: { force?: boolean }): Promise<ThreadCalibration>;
  stats(): EngineStats;
  close(): Promise<void>;
};

/** A chat template in the GGUF file, or a wrapper named in the config, marks a chat model. */
function promptStyleOf(spec: { chatWrapper: string }, prepared: PreparedModel): "chat" | "completion" {
  return spec.chatWrapper !== "auto" || prepared.chatTemplate ? "chat" : "completion";
}

const llamaLogLevels: Record<NodeConfig["logLevel"], LlamaLogLevel> = {
  error: LlamaLogLevel.error,
  warn: LlamaLogLevel.warn,
  info: LlamaLogLevel.warn,
  debug: LlamaLogLevel.debug,
};

const levelRank = { error: 0, warn: 1, info: 2, debug: 3 } as const;

function defaultLogger(config: NodeConfig): EngineLogger {
  return (level, message) => {
    if (levelRank[level] <= levelRank[config.logLevel]) process.stderr.write(`[opus engine] ${level}: ${message}\n`);
  };
}

export type CreateEngineOptions = {
  /** The node's libSQL database: enables the persistent level of the response cache. */
  db?: NodeDb;
  logger?: EngineLogger;
  /** Reuse a Llama instance (benchmarks compare against raw node-llama-cpp on the same one). */
  llama?: Llama;
};

/** A compiled JSON-schema grammar; `parse` validates the output against the schema. */
type JsonGrammar = LlamaGrammar & { parse(json: string): unknown };

type InternalOptions = { forbidEndOfText?: boolean; limited?: boolean; noCache?: boolean };

export async function createEngine(config: NodeConfig, options: CreateEngineOptions = {}): Promise<Engine> {
  const log = options.logger ?? defaultLogger(config);
  const ownsLlama = !options.llama;
  const llama =
    options.llama ??
    (await getLlama({
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
    }));
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
  const grammars = new LruMap<string, Promise<JsonGrammar>>(64);
  // Schemas arrive as plain JSON at run time; node-llama-cpp's static schema typing cannot apply.
  const compileJsonSchema = llama.createGrammarForJsonSchema.bind(llama) as unknown as (schema: object) => Promise<JsonGrammar>;
  const running = new Set<AbortController>();
  let closed = false;
  let closing: Promise<void> | null = null;

  const entryFor = (model: string | undefined) => pool.resolve(model ?? "generator");

  async function sha256Of(entry: PoolEntry): Promise<string> {
    const prepared = await pool.prepare(entry);
    return entry.sha256(hasher, prepared.filePath);
  }

  function grammarFor(schema: object): Promise<JsonGrammar> {
    const key = JSON.stringify(schema);
    let grammar = grammars.get(key);
    if (!grammar) {
      checkGrammarSchema(schema);
      grammar = compileJsonSchema(schema).catch((error: unknown) => {
        grammars.delete(key);
        throw new InvalidRequestError(`jsonSchema: not a schema node-llama-cpp can turn into a grammar: ${(error as Error).message}`);
      });
      grammars.set(key, grammar);
    }
    return grammar;
  }

  function count(entry: PoolEntry | null, outcome: RequestOutcome): void {
    metrics.requests.inc({ model: entry?.id ?? "unknown", outcome });
  }

  async function run(
    entry: PoolEntry,
    input: { kind: "complete"; prompt: string } | { kind: "chat"; messages: ChatRequest["messages"] },
    request: Omit<CompletionRequest, "prompt">,
    internal: InternalOptions,
  ): Promise<CompletionResult> {
    if (closed) throw new EngineClosedError();
    const start = performance.now();
    const timeoutMs = request.timeoutMs ?? config.generation.requestTimeoutMs;
    const temperature = request.temperature ?? config.generation.temperature;
    const topP = request.topP ?? config.generation.topP;
    const stop = request.stop ?? [];
    const abortResult = (): CompletionResult => {
      const durationMs = performance.now() - start;
      return { text: "", tokens: 0, cached: false, stopReason: "abort", timeToFirstTokenMs: durationMs, durationMs, model: entry.id, queueMs: 0 };
    };
    if (request.signal?.aborted) {
      count(entry, "abort");
      return abortResult();
    }

    // The cache answers seeded requests only: without a seed, sampling must stay fresh.
    let key: string | null = null;
    let sha: string | null = null;
    if (cache && request.seed !== undefined && !internal.noCache) {
      const prepared = await pool.prepare(entry);
      sha = await entry.sha256(hasher, prepared.filePath);
      key = cacheKey({
        modelSha256: sha,
        kind: input.kind,
        input: input.kind === "complete" ? input.prompt : input.messages,
        maxTokens: request.maxTokens,
        temperature,
        topP,
        seed: request.seed,
        stop,
        jsonSchema: request.jsonSchema ?? null,
        modelSettings: { contextSize: prepared.plan.contextSize.value, chatWrapper: entry.spec.chatWrapper },
      });
      const hit = await cache.get(key);
      if (hit) {
        request.onToken?.(hit.text);
        count(entry, "cached");
        const elapsed = performance.now() - start;
        const result: CompletionResult = { ...hit, cached: true, timeToFirstTokenMs: elapsed, durationMs: elapsed, model: entry.id, queueMs: 0 };
        if (request.jsonSchema && hit.stopReason !== "maxTokens") {
          const parsed = await parseJson(request.jsonSchema, hit.text);
          if (parsed.ok) result.json = parsed.value;
        }
        return result;
      }
    }

    const grammar = request.jsonSchema ? await grammarFor(request.jsonSchema) : undefined;
    let lease;
    try {
      lease = await scheduler.acquire(entry, {
        priority: request.priority ?? "B",
        signal: request.signal,
        timeoutMs: Math.max(1, timeoutMs - (performance.now() - start)),
        limited: internal.limited ?? true,
      });
    } catch (error) {
      if (request.signal?.aborted) {
        count(entry, "abort");
        return abortResult();
      }
      count(entry, error instanceof QueueFullError ? "queue_full" : error instanceof QueueTimeoutError ? "queue_timeout" : "error");
      throw error;
    }

    const controller = new AbortController();
    running.add(controller);
    const remaining = timeoutMs - (performance.now() - start);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new GenerationTimeoutError(timeoutMs, "", 0));
    }, Math.max(1, remaining));
    const signal = request.signal ? AbortSignal.any([request.signal, controller.signal]) : controller.signal;
    let firstTokenAt: number | null = null;
    let output: GenerationOutput;
    const generationStart = performance.now();
    try {
      if (input.kind === "complete") {
        // +1: the BOS token node-llama-cpp adds; a prompt must leave room to generate at least one token.
        const promptTokens = lease.loaded.model.tokenize(input.prompt).length + 1;
        if (promptTokens >= lease.loaded.contextSize) throw new PromptTooLongError(promptTokens, lease.loaded.contextSize, entry.id);
      }
      const generationInput: GenerationInput =
        input.kind === "complete" ? input : { kind: "chat", messages: input.messages, chatWrapper: lease.loaded.chatWrapper };
      output = await generateOnSequence(lease.sequence, generationInput, {
        maxTokens: request.maxTokens,
        temperature,
        topP,
        // node-llama-cpp's default seed is the current second: unseeded requests within one second would
        // sample identically. A fresh random seed keeps unseeded sampling independent.
        seed: request.seed ?? randomInt(2 ** 32),
        stop,
        grammar,
        signal,
        forbidEndOfText: internal.forbidEndOfText ?? false,
        freshState: lease.loaded.freshState,
        onText: request.onToken,
        onTokens: (n) => {
          firstTokenAt ??= performance.now();
          entry.lastTokenAt = Date.now();
          metrics.tokensGenerated.inc({ model: entry.id }, n);
        },
      });
    } catch (error) {
      count(entry, error instanceof EngineError && error.httpStatus === 400 ? "invalid" : "error");
      throw error;
    } finally {
      clearTimeout(timer);
      running.delete(controller);
      lease.release();
      scheduler.recordServiceTime(performance.now() - generationStart);
    }

    const end = performance.now();
    if (output.stopReason === "abort" && timedOut && !request.signal?.aborted) {
      count(entry, "timeout");
      throw new GenerationTimeoutError(timeoutMs, output.text, output.tokens);
    }
    const result: CompletionResult = {
      text: output.text,
      tokens: output.tokens,
      cached: false,
      stopReason: output.stopReason,
      timeToFirstTokenMs: firstTokenAt === null ? end - start : firstTokenAt - start,
      durationMs: end - start,
      model: entry.id,
      queueMs: lease.waitedMs,
    };
    if (firstTokenAt !== null) {
      metrics.timeToFirstToken.observe({ model: entry.id }, (firstTokenAt - start) / 1000);
      if (output.tokens > 1 && end > firstTokenAt) metrics.tokensPerSecond.observe({ model: entry.id }, ((output.tokens - 1) * 1000) / (end - firstTokenAt));
    }
    metrics.requestDuration.observe({ model: entry.id }, result.durationMs / 1000);
    if (request.jsonSchema && output.stopReason !== "abort" && output.stopReason !== "maxTokens" && grammar) {
      try {
        result.json = grammar.parse(output.text);
      } catch {
        // Leave json unset: the caller sees text and stopReason.
      }
    }
    count(entry, output.stopReason === "abort" ? "abort" : "ok");
    if (key && sha && cache && output.stopReason !== "abort") {
      await cache.set(key, { modelSha256: sha, modelId: entry.id }, { text: output.text, tokens: output.tokens, stopReason: output.stopReason });
    }
    return result;
  }

  async function parseJson(schema: object, text: string): Promise<{ ok: true; value: unknown } | { ok: false }> {
    try {
      return { ok: true, value: (await grammarFor(schema)).parse(text) };
    } catch {
      return { ok: false };
    }
  }

  function validated<T>(validate: () => T, model: string | undefined): T {
    try {
      return validate();
    } catch (error) {
      let entry: PoolEntry | null = null;
      try {
        entry = entryFor(model);
      } catch {
        entry = null;
      }
      count(entry, "invalid");
      throw error;
    }
  }

  async function threadsFor(entry: PoolEntry, resolve: boolean): Promise<Chosen<number | null>> {
    if (entry.loaded) return entry.loaded.threads;
    if (entry.spec.threads !== "auto") return { value: entry.spec.threads, source: "explicit" };
    if (!config.features.threadCalibration) return { value: hardware.cpuMathCores, source: "default", note: "features.threadCalibration is off" };
    if (resolve && entry.prepared) {
      const sha = await entry.sha256(hasher, entry.prepared.filePath);
      const cached = calibrationStore(config.paths.cacheDir).get(calibrationKey(machineKey(hardware), sha, entry.prepared.plan.gpuLayers.value));
      if (cached) return { value: cached.threads, source: "cached" as SettingSource, note: `measured ${cached.at}` };
    }
    return { value: null, source: "auto", note: "calibrated at first load (or `opus doctor --calibrate`)" };
  }

  async function describeModel(entry: PoolEntry, resolveThreads: boolean): Promise<ModelDescription> {
    const base = {
      id: entry.id,
      roles: entry.spec.roles,
      source: entry.spec.source,
      state: entry.state,
      loads: entry.loads,
      evictions: entry.evictions,
      activeSequences: entry.active,
    };
    if (!entry.prepared && isRemoteModelSource(entry.spec.source)) {
      // describe() must not start a multi-gigabyte download: report what is on disk.
      try {
        await resolveModelFile(entry.spec.source, { directory: config.paths.modelsDir, download: false, cli: false });
      } catch {
        return { ...base, file: null, settings: null, memory: null, trainContextSize: null, chatWrapper: null, promptStyle: null, warnings: [], error: `not downloaded yet: ${entry.spec.source} downloads to ${config.paths.modelsDir} at first use` };
      }
    }
    try {
      const prepared = await pool.prepare(entry);
      const plan = prepared.plan;
      return {
        ...base,
        file: prepared.filePath,
        settings: {
          contextSize: plan.contextSize,
          batchSize: plan.batchSize,
          sequences: plan.sequences,
          gpuLayers: { ...plan.gpuLayers, totalLayers: plan.totalLayers },
          threads: await threadsFor(entry, resolveThreads),
        },
        memory: {
          footprintBytes: plan.footprintBytes,
          capBytes: plan.capBytes,
          modelRam: plan.model.cpuRam,
          modelVram: plan.model.gpuVram,
          contextRam: plan.context.cpuRam,
          contextVram: plan.context.gpuVram,
        },
        trainContextSize: plan.trainContextSize,
        chatWrapper: entry.loaded ? entry.loaded.chatWrapper.wrapperName : entry.spec.chatWrapper,
        promptStyle: promptStyleOf(entry.spec, prepared),
        warnings: plan.warnings,
      };
    } catch (error) {
      return { ...base, file: null, settings: null, memory: null, trainContextSize: null, chatWrapper: null, promptStyle: null, warnings: [], error: (error as Error).message };
    }
  }

  const engine: Engine = {
    config,
    metricsRegistry: metrics.registry,
    hardware,
    budget,

    async complete(request) {
      const valid = validated(() => validateCompletionRequest(request, config), request?.model);
      const { prompt, ...rest } = valid;
      return run(entryFor(valid.model), { kind: "complete", prompt }, rest, {});
    },

    async chat(request) {
      const valid = validated(() => validateChatRequest(request, config), request?.model);
      const { messages, ...rest } = valid;
      return run(entryFor(valid.model), { kind: "chat", messages }, rest, {});
    },

    async health() {
      let entry: PoolEntry;
      try {
        entry = entryFor(undefined);
      } catch (error) {
        return { ok: false, model: "generator", tokenMs: null, check: "failed", loadedModels: [], queueDepth: scheduler.depth, error: (error as Error).message };
      }
      const loadedModels = () => [...pool.entries.values()].filter((e) => e.state === "loaded").map((e) => e.id);
      // Every sequence busy: a model that produced a token moments ago is not wedged.
      if (entry.loaded && entry.loaded.freeSequences.length === 0 && Date.now() - entry.lastTokenAt < config.health.maxTokenAgeMs) {
        return { ok: true, model: entry.id, tokenMs: null, check: "recent-token", loadedModels: loadedModels(), queueDepth: scheduler.depth };
      }
      const start = performance.now();
      try {
        const result = await run(
          entry,
          { kind: "complete", prompt: "Hello" },
          { maxTokens: 1, temperature: 0, priority: "S", timeoutMs: config.health.timeoutMs },
          { forbidEndOfText: true, limited: false, noCache: true },
        );
        const ok = result.tokens >= 1 && result.stopReason !== "abort";
        return {
          ok,
          model: entry.id,
          tokenMs: performance.now() - start,
          check: ok ? "generated" : "failed",
          loadedModels: loadedModels(),
          queueDepth: scheduler.depth,
          ...(ok ? {} : { error: `no token generated (stopReason ${result.stopReason})` }),
        };
      } catch (error) {
        return { ok: false, model: entry.id, tokenMs: null, check: "failed", loadedModels: loadedModels(), queueDepth: scheduler.depth, error: (error as Error).message };
      }
    },

    async describe(describeOptions = {}) {
      const models: ModelDescription[] = [];
      for (const entry of pool.entries.values()) models.push(await describeModel(entry, describeOptions.resolveThreads ?? true));
      return {
        profile: config.profile,
        configFile: config.configFile,
        hardware,
        budget,
        models,
        queue: config.queue,
        features: config.features,
        cache: { memoryEntries: config.cache.memoryEntries, persistent: cache?.persistent ?? false },
      };
    },

    async modelInfo(model) {
      const entry = entryFor(model);
      const prepared = await pool.prepare(entry);
      const sha256 = await sha256Of(entry);
      const metadata = prepared.insights.ggufFileInfo.metadata;
      const general = metadata?.general as { name?: string; architecture?: string; file_type?: number } | undefined;
      const fileType = general?.file_type;
      return {
        id: entry.id,
        roles: entry.spec.roles,
        source: entry.spec.source,
        file: prepared.filePath,
        sha256,
        sizeBytes: prepared.insights.modelSize,
        name: general?.name ?? null,
        architecture: general?.architecture ?? null,
        fileType: fileType === undefined ? null : String(fileType),
        trainContextSize: prepared.plan.trainContextSize,
        contextSize: entry.loaded?.contextSize ?? prepared.plan.contextSize.value,
        sequences: prepared.plan.sequences.value,
        gpuLayers: prepared.plan.gpuLayers.value,
        threads: entry.loaded?.threads.value ?? (entry.spec.threads === "auto" ? null : entry.spec.threads),
      };
    },

    async tokenize(text, model) {
      const entry = entryFor(model);
      const prepared = await pool.prepare(entry);
      const llamaModel = entry.loaded?.model ?? (await entry.vocabulary(llama, prepared.filePath));
      return [...llamaModel.tokenize(text)];
    },

    async countTokens(text, model) {
      return (await engine.tokenize(text, model)).length;
    },

    async contextSize(model) {
      const entry = entryFor(model);
      if (entry.loaded) return entry.loaded.contextSize;
      return (await pool.prepare(entry)).plan.contextSize.value;
    },

    async promptStyle(model) {
      const entry = entryFor(model);
      return promptStyleOf(entry.spec, await pool.prepare(entry));
    },

    async plan(model) {
      return (await pool.prepare(entryFor(model))).plan;
    },

    async loadModel(model) {
      const entry = entryFor(model);
      await scheduler.ensureLoaded(entry, { priority: "S", timeoutMs: config.generation.requestTimeoutMs });
    },

    async unloadModel(model) {
      const entry = entryFor(model);
      await pool.unload(entry);
      scheduler.pump();
    },

    async calibrateThreads(model, calibrateOptions = {}) {
      const entry = entryFor(model);
      const loaded = await scheduler.ensureLoaded(entry, { priority: "S", timeoutMs: config.generation.requestTimeoutMs });
      if (!calibrateOptions.force && loaded.calibration) return loaded.calibration;
      return calibrateThreads(loaded.model, {
        cacheDir: config.paths.cacheDir,
        machineKey: machineKey(hardware),
        modelSha256: await sha256Of(entry),
        cores: hardware.cpuCores,
        tokens: config.calibration.tokens,
        maxMsPerSetting: config.calibration.maxMsPerSetting,
        rounds: config.calibration.rounds,
        force: calibrateOptions.force ?? false,
      });
    },

    stats() {
      return {
        queueDepth: scheduler.depth,
        models: [...pool.entries.values()].map((e) => ({
          id: e.id,
          state: e.state,
          active: e.active,
          loads: e.loads,
          evictions: e.evictions,
          lastUsedAt: e.lastUsedAt,
          queued: scheduler.depthOf(e),
        })),
      };
    },

    close() {
      closing ??= (async () => {
        closed = true;
        scheduler.close();
        for (const controller of running) controller.abort(new EngineClosedError());
        // Generations stop at their next token; wait for them to hand their sequences back.
        const deadline = Date.now() + 10_000;
        while ([...pool.entries.values()].some((e) => e.active > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        await pool.closeAll();
        if (ownsLlama) await llama.dispose();
      })();
      return closing;
    },
  };
  return engine;
}

export type { Priority };
