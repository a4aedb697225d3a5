// The engine's part of the node configuration: models, memory, generation limits, queue, cache,
// calibration, health, paths, downloads and feature flags. The node's whole schema composes these
// sections with the pipeline's, the knowledge base's, telemetry and the edge link (gpu-node/config).
// Every field has a default so that `OPUS_MODEL=/path/model.gguf` alone works.
import { z } from "zod";
import { logLevels } from "../../../shared/logging/line.ts";

export const positiveInt = z
  .number({ error: "expected a positive integer" })
  .int({ error: "expected a positive integer" })
  .positive({ error: "expected a positive integer" });
export const nonNegativeInt = z
  .number({ error: "expected a non-negative integer" })
  .int({ error: "expected a non-negative integer" })
  .nonnegative({ error: "expected a non-negative integer" });
const autoOrPositiveInt = z.union([z.literal("auto"), positiveInt], { error: 'expected "auto" or a positive integer' });
export const fraction = z
  .number({ error: "expected a number between 0 (exclusive) and 1" })
  .gt(0, { error: "expected a number between 0 (exclusive) and 1" })
  .lte(1, { error: "expected a number between 0 (exclusive) and 1" });

/** "8GiB", "512 MB", "1.5GB" or a plain byte count; "90%" is a share of the device's free memory. */
export const sizePattern = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?\s*$/i;
export const percentPattern = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/;
const sizeMessage = 'expected "auto", a byte count, a size such as "8GiB" or "512MB", or a percentage such as "90%"';
const memorySize = z.union(
  [z.literal("auto"), positiveInt, z.string().regex(sizePattern), z.string().regex(percentPattern)],
  { error: sizeMessage },
);

export const modelIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const rolePattern = /^[a-z][a-z0-9-]*$/;

export const modelConfigSchema = z.strictObject({
  /** Name used in requests (`model: "qwen-14b"`), logs and metrics. */
  id: z.string({ error: "expected a model id (letters, digits, '.', '_', '-')" }).regex(modelIdPattern, {
    error: "expected a model id (letters, digits, '.', '_', '-')",
  }),
  /** A GGUF file path, or a Hugging Face URI such as `hf:user/repo/file.gguf` (downloaded on first use). */
  source: z.string({ error: "expected a GGUF file path or an hf: URI" }).min(1, { error: "expected a GGUF file path or an hf: URI" }),
  /** What the pipeline asks for: `generator`, `judge`, `embedder`, ... A request may name a role instead of an id. */
  roles: z.array(z.string().regex(rolePattern, { error: "expected a lowercase role name such as \"generator\"" })).default([]),
  contextSize: autoOrPositiveInt.default("auto"),
  batchSize: autoOrPositiveInt.default("auto"),
  /** Parallel sequences of the model's one context (batched decoding). */
  sequences: autoOrPositiveInt.default("auto"),
  gpuLayers: z.union([z.literal("auto"), z.literal("max"), nonNegativeInt], {
    error: 'expected "auto", "max" or a non-negative integer',
  }).default("auto"),
  /** "auto" runs a measured sweep once per machine and model (cached on disk). */
  threads: autoOrPositiveInt.default("auto"),
  /** Caps the memory this model may plan for (context and sequences), within the node's budget. */
  maxMemory: memorySize.default("auto"),
  /** "auto" uses the chat template in the GGUF file; or a node-llama-cpp wrapper name such as "chatML". */
  chatWrapper: z.string().min(1).default("auto"),
  flashAttention: z.union([z.literal("auto"), z.boolean()], { error: 'expected "auto", true or false' }).default("auto"),
});

/** The engine's sections, as zod shapes (gpu-node/config/schema.ts adds the node's other sections). */
export const engineConfigShape = {
  profile: z.enum(["development", "production"], { error: 'expected "development" or "production"' }).default("development"),
  /** Which llama.cpp backend to use; false forces the CPU. */
  gpu: z.union([z.literal("auto"), z.enum(["cuda", "vulkan", "metal"]), z.literal(false)], {
    error: 'expected "auto", "cuda", "vulkan", "metal" or false',
  }).default("auto"),
  logLevel: z.enum(logLevels, { error: 'expected "error", "warn", "info" or "debug"' }).default("warn"),
  models: z.array(modelConfigSchema).default([]),
  memory: z
    .strictObject({
      /** Memory all loaded models may use together: VRAM on a GPU, RAM on the CPU. */
      budget: memorySize.default("auto"),
      /** Share of the free device memory that an "auto" budget takes. */
      autoFraction: fraction.default(0.9),
    })
    .default({ budget: "auto", autoFraction: 0.9 }),
  generation: z
    .strictObject({
      /** Upper bound for any request's maxTokens. */
      maxTokens: positiveInt.default(8192),
      temperature: z
        .number({ error: "expected a number from 0 to 2" })
        .min(0, { error: "expected a number from 0 to 2" })
        .max(2, { error: "expected a number from 0 to 2" })
        .default(0.7),
      topP: fraction.default(0.95),
      /** A request that has not finished after this long is stopped (override per request with timeoutMs). */
      requestTimeoutMs: positiveInt.default(600_000),
      /** Upper bound for an "auto" context size (the model's training context can be far larger). */
      autoContextSizeMax: positiveInt.default(8192),
      /** Smallest context an "auto" plan may shrink to before the model is declared too large. */
      autoContextSizeMin: positiveInt.default(512),
      /** Upper bound for "auto" sequences; "auto" means 8 on a GPU, 4 on the CPU. */
      autoSequencesMax: autoOrPositiveInt.default("auto"),
      /**
       * "isolated": each sequence is its own context and every request is evaluated from a clean
       * state, so a seeded request gives the same text whatever else runs (exact resumes).
       * "shared": the sequences share one context and are decoded in one batch, with prompt-prefix
       * reuse: more throughput on a GPU, but the numerics (and so the text) can depend on the load.
       */
      batching: z.enum(["isolated", "shared"], { error: 'expected "isolated" or "shared"' }).default("isolated"),
    })
    .default({
      maxTokens: 8192,
      temperature: 0.7,
      topP: 0.95,
      requestTimeoutMs: 600_000,
      autoContextSizeMax: 8192,
      autoContextSizeMin: 512,
      autoSequencesMax: "auto",
      batching: "isolated",
    }),
  queue: z
    .strictObject({
      /** Requests waiting for a sequence beyond this are refused (HTTP 503 with Retry-After). */
      maxWaiting: nonNegativeInt.default(64),
      /** No request waits longer than this for a sequence. */
      maxWaitMs: positiveInt.default(120_000),
    })
    .default({ maxWaiting: 64, maxWaitMs: 120_000 }),
  cache: z
    .strictObject({
      memoryEntries: nonNegativeInt.default(512),
      /** Keep seeded answers in the node's libSQL file too (needs the node database). */
      persistent: z.boolean({ error: "expected true or false" }).default(true),
      persistentMaxEntries: positiveInt.default(100_000),
    })
    .default({ memoryEntries: 512, persistent: true, persistentMaxEntries: 100_000 }),
  /** Thread calibration (gpu-node/engine/thread-calibration.ts) and its watch in service (thread-tuner.ts). */
  calibration: z
    .strictObject({
      /** Each thread count decodes this long per window, alone and with every sequence: long enough to show threads stalling on a busy machine. */
      windowMs: positiveInt.default(400),
      rounds: positiveInt.default(2),
      /** More threads must beat fewer by this share in every window (0.1: 10% faster). */
      minGain: z.number({ error: "expected a number from 0 to 10" }).min(0).max(10).default(0.1),
      /** A stored calibration older than this is measured again. */
      maxAgeHours: z.number({ error: "expected a positive number of hours" }).positive({ error: "expected a positive number of hours" }).default(24),
      /** In service: calibrate again when the last `windowRequests` requests decode below this share of the calibrated speed. */
      slowFactor: fraction.default(0.2),
      windowRequests: positiveInt.default(8),
      /** The rolling window judges only with at least this many requests and tokens. */
      minRequests: positiveInt.default(4),
      minTokens: positiveInt.default(64),
      /** At most one in-service re-calibration per model in this time. */
      cooldownMs: positiveInt.default(600_000),
    })
    .prefault({}),
  health: z
    .strictObject({
      timeoutMs: positiveInt.default(30_000),
      /** When every sequence is busy, health passes if the model produced a token this recently. */
      maxTokenAgeMs: positiveInt.default(30_000),
    })
    .default({ timeoutMs: 30_000, maxTokenAgeMs: 30_000 }),
  paths: z
    .strictObject({
      cacheDir: z.string().min(1).default(".opus/cache"),
      modelsDir: z.string().min(1).default(".opus/models"),
      database: z.string().min(1).default(".opus/gpu-node.db"),
    })
    .default({ cacheDir: ".opus/cache", modelsDir: ".opus/models", database: ".opus/gpu-node.db" }),
  download: z
    .strictObject({
      /** Allow `hf:` models to be downloaded when missing from modelsDir. */
      enabled: z.boolean({ error: "expected true or false" }).default(true),
      /** How long to wait for huggingface.co to answer before declaring the node offline. */
      connectTimeoutMs: positiveInt.default(10_000),
    })
    .default({ enabled: true, connectTimeoutMs: 10_000 }),
  features: z
    .strictObject({
      threadCalibration: z.boolean({ error: "expected true or false" }).default(true),
      responseCache: z.boolean({ error: "expected true or false" }).default(true),
      /** Node.js process metrics (CPU, heap, event loop lag) on /metrics beside the engine's own. */
      processMetrics: z.boolean({ error: "expected true or false" }).default(true),
    })
    .default({ threadCalibration: true, responseCache: true, processMetrics: true }),
  /** The node's log lines: one JSON object per line (for a log pipeline), or plain text (for a terminal). */
  logFormat: z.enum(["json", "text"], { error: 'expected "json" or "text"' }).default("json"),
};

export const engineConfigSchema = z.strictObject(engineConfigShape);

export type ModelConfig = z.output<typeof modelConfigSchema>;
export type EngineConfig = z.output<typeof engineConfigSchema> & {
  /** The file the configuration was read from, or null when it came from defaults and environment only. */
  readonly configFile: string | null;
};
/**
 * The engine's modules name their settings NodeConfig: they read the engine's sections of the node
 * configuration (gpu-node/config's NodeConfig holds these and more). Prefer EngineConfig in new code.
 */
export type NodeConfig = EngineConfig;
