// The one zod schema for the whole GPU node: models, memory, generation limits, queue, cache, paths,
// server and feature flags. Every field has a default so that `OPUS_MODEL=/path/model.gguf` alone works.
import { z } from "zod";
import { pipelineConfigSchema } from "../../pipeline/config.ts";

const positiveInt = z
  .number({ error: "expected a positive integer" })
  .int({ error: "expected a positive integer" })
  .positive({ error: "expected a positive integer" });
const nonNegativeInt = z
  .number({ error: "expected a non-negative integer" })
  .int({ error: "expected a non-negative integer" })
  .nonnegative({ error: "expected a non-negative integer" });
const autoOrPositiveInt = z.union([z.literal("auto"), positiveInt], { error: 'expected "auto" or a positive integer' });
const fraction = z
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

export const nodeConfigSchema = z.strictObject({
  profile: z.enum(["development", "production"], { error: 'expected "development" or "production"' }).default("development"),
  /** Which llama.cpp backend to use; false forces the CPU. */
  gpu: z.union([z.literal("auto"), z.enum(["cuda", "vulkan", "metal"]), z.literal(false)], {
    error: 'expected "auto", "cuda", "vulkan", "metal" or false',
  }).default("auto"),
  logLevel: z.enum(["error", "warn", "info", "debug"], { error: 'expected "error", "warn", "info" or "debug"' }).default("warn"),
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
  calibration: z
    .strictObject({
      /** Tokens generated per thread setting in the sweep. */
      tokens: positiveInt.default(32),
      /** A setting slower than this is cut short: a bad thread count can be hundreds of times slower. */
      maxMsPerSetting: positiveInt.default(2000),
      rounds: positiveInt.default(2),
    })
    .default({ tokens: 32, maxMsPerSetting: 2000, rounds: 2 }),
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
  server: z
    .strictObject({
      host: z.string().min(1).default("127.0.0.1"),
      port: z
        .number({ error: "expected a port number from 1 to 65535" })
        .int({ error: "expected a port number from 1 to 65535" })
        .min(1, { error: "expected a port number from 1 to 65535" })
        .max(65535, { error: "expected a port number from 1 to 65535" })
        .default(8788),
    })
    .default({ host: "127.0.0.1", port: 8788 }),
  /** The generation pipeline: tier table, loop bounds, quality gate (gpu-node/pipeline/config.ts). */
  pipeline: pipelineConfigSchema.prefault({}),
  /** The knowledge base: embeddings, vector index, golden corpus, uniqueness check. */
  knowledge: z
    .strictObject({
      enabled: z.boolean({ error: "expected true or false" }).default(true),
      /** "opus-static" (built in, offline) or a sentence-embedding model id/folder, e.g. "Xenova/bge-small-en-v1.5". */
      embedder: z.string().min(1).default("opus-static"),
      /** Let transformers.js download an embedder that is not cached yet. */
      allowRemote: z.boolean({ error: "expected true or false" }).default(true),
      quantization: z.enum(["f32", "f16", "i8"], { error: 'expected "f32", "f16" or "i8"' }).default("f32"),
      /** Folder of the vector index files. */
      dir: z.string().min(1).default(".opus/knowledge"),
      /** Where embedding models are built (the static one) or cached (downloaded ones). */
      modelsDir: z.string().min(1).default(".opus/cache/models"),
      /** Golden corpus folder synced at start (default: corpus/golden of this repository). */
      goldenDir: z.string().min(1).optional(),
    })
    .prefault({}),
  /** OpenTelemetry traces of every entry: its steps, sections, paragraphs and model calls. */
  telemetry: z
    .strictObject({
      /** OTLP/HTTP traces URL, e.g. http://localhost:4318/v1/traces (an OpenTelemetry Collector, Jaeger, Tempo); unset: no tracing. */
      tracesEndpoint: z.url({ protocol: /^https?$/, error: "expected an http(s) URL such as http://localhost:4318/v1/traces" }).optional(),
      serviceName: z.string().min(1).default("opus-gpu-node"),
      /** Share of entries traced (head sampling per entry). */
      sampleRatio: fraction.default(1),
    })
    .prefault({}),
  features: z
    .strictObject({
      threadCalibration: z.boolean({ error: "expected true or false" }).default(true),
      responseCache: z.boolean({ error: "expected true or false" }).default(true),
      /** Node.js process metrics (CPU, heap, event loop lag) on /metrics beside the engine's own. */
      processMetrics: z.boolean({ error: "expected true or false" }).default(true),
    })
    .default({ threadCalibration: true, responseCache: true, processMetrics: true }),
});

export type ModelConfig = z.output<typeof modelConfigSchema>;
export type NodeConfigInput = z.input<typeof nodeConfigSchema>;
export type NodeConfig = z.output<typeof nodeConfigSchema> & {
  /** The file the configuration was read from, or null when it came from defaults and environment only. */
  readonly configFile: string | null;
};
