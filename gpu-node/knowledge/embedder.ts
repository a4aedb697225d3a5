// One embedding path for every model, through transformers.js on onnxruntime-node: the model is
// resolved and loaded as a feature-extraction pipeline, texts go through its tokenizer and model,
// and the sentence vector is the model's own `sentence_embedding` output when it has one (as
// sentence-transformers exports with pooling built in do, and the static model does), else the
// mean (or first-token) pooling of `last_hidden_state` by transformers.js, L2-normalised.
// The default model is the project's static GloVe model, built on first use (no download); any
// sentence-embedding model in the transformers.js layout (a hub id such as
// "Xenova/all-MiniLM-L6-v2", or a local folder) can be configured instead.
import { existsSync } from "node:fs";
import path from "node:path";
import { env, LogLevel, mean_pooling, pipeline, Tensor, type FeatureExtractionPipeline } from "@huggingface/transformers";
import { defaultModelCacheDir, ensureStaticModel, STATIC_MODEL_NAME, staticEmbedderId } from "./static-model/build-static-model.ts";

export const STATIC_MODEL = "opus-static";

export interface EmbedderConfig {
  /**
   * "opus-static" (default): the built-in GloVe model. Otherwise a Hugging Face model id resolved
   * the usual transformers.js way (cache, then the hub), or a path to a local model folder.
   */
  model?: string;
  /** Where models are built and cached (the node passes knowledge.embedderCache; default .opus/cache/models). */
  cacheDir?: string;
  /** Let transformers.js download a hub model that is not cached (default true; false offline). */
  allowRemote?: boolean;
  /** Weights variant: "fp32" loads onnx/model.onnx, "q8" onnx/model_quantized.onnx, etc. */
  dtype?: "fp32" | "fp16" | "q8" | "int8" | "uint8" | "q4";
  /** Pooling of last_hidden_state, for models without a sentence_embedding output (default mean). */
  pooling?: "mean" | "cls";
  /** Texts per model call. */
  batchSize?: number;
  /** Prepended to queries (some models, e.g. bge, want an instruction on the query side). */
  queryPrefix?: string;
}

export interface Embedder {
  /** Identifies the vector space: stored with every index, compared on every query. */
  readonly id: string;
  readonly dimensions: number;
  readonly model: string;
  /** Unit-length vectors, one per text. A text with no known token gets the zero vector. */
  embed(texts: readonly string[], options?: { query?: boolean }): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

export class EmbedderLoadError extends Error {
  override name = "EmbedderLoadError";
}

function isLocalPath(model: string): boolean {
  return model.startsWith(".") || path.isAbsolute(model) || existsSync(model);
}

/** Fails early, naming the missing files, when a local model folder is incomplete. */
function checkLocalFolder(dir: string, dtype: string): void {
  const suffix = dtype === "fp32" ? "" : dtype === "q8" ? "_quantized" : `_${dtype}`;
  const required = ["config.json", "tokenizer.json", `onnx/model${suffix}.onnx`];
  const missing = required.filter((file) => !existsSync(path.join(dir, file)));
  if (missing.length > 0) {
    throw new EmbedderLoadError(
      `Embedding model folder ${dir} is missing ${missing.join(", ")}. A transformers.js model folder needs ` +
        `config.json, tokenizer.json and onnx/model${suffix}.onnx (set embedder.dtype to match the weights file you have).`,
    );
  }
}

export async function createEmbedder(config: EmbedderConfig = {}): Promise<Embedder> {
  const model = config.model ?? STATIC_MODEL;
  const cacheDir = path.resolve(config.cacheDir ?? defaultModelCacheDir());
  const dtype = config.dtype ?? "fp32";
  const pooling = config.pooling ?? "mean";
  const batchSize = config.batchSize ?? 32;
  // transformers.js settings are process-wide; these two only silence its fallback warnings and
  // keep local folders local. Per-model choices go through the pipeline options below.
  env.logLevel = LogLevel.ERROR;
  env.allowLocalModels = true;

  let modelPath: string;
  let id: string;
  let localOnly: boolean;
  if (model === STATIC_MODEL || model === STATIC_MODEL_NAME) {
    const built = await ensureStaticModel(cacheDir);
    modelPath = built.dir;
    id = staticEmbedderId();
    localOnly = true;
  } else if (isLocalPath(model)) {
    modelPath = path.resolve(model);
    checkLocalFolder(modelPath, dtype);
    id = `local:${path.basename(modelPath)}|${dtype}|${pooling}`;
    localOnly = true;
  } else {
    modelPath = model;
    id = `${model}|${dtype}|${pooling}`;
    localOnly = config.allowRemote === false;
  }

  let extractor: FeatureExtractionPipeline;
  try {
    extractor = await pipeline("feature-extraction", modelPath, {
      dtype,
      cache_dir: cacheDir,
      local_files_only: localOnly,
      session_options: { logSeverityLevel: 3 },
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const offline = localOnly
      ? `It is not in the model cache ${cacheDir} and downloads are off (knowledge.embedderOffline, OPUS_EMBEDDER_OFFLINE).`
      : `It is not in the model cache ${cacheDir} and could not be downloaded (offline?).`;
    throw new EmbedderLoadError(
      `Could not load embedding model "${model}": ${reason}\n${offline} Fix: copy the model folder (config.json, ` +
        `tokenizer.json, onnx/model.onnx) to ${path.join(cacheDir, model)} or point embedder.model at a local folder, ` +
        `or leave embedder.model unset to use the built-in offline model "${STATIC_MODEL}".`,
      { cause: error },
    );
  }

  /**
   * The tokenizer's padded id lists as int64 tensors. transformers.js can return tensors itself,
   * but builds them through flatMap and BigInt boxing, which took longer than the whole static
   * model; one typed-array pass per key does the same work.
   */
  const tokenize = (batch: string[]): Record<string, Tensor> => {
    const encoded = extractor.tokenizer(batch, { padding: true, truncation: true, return_tensor: false }) as unknown as Record<string, number[][]>;
    const tensors: Record<string, Tensor> = {};
    for (const [key, rows] of Object.entries(encoded)) {
      const width = rows[0]?.length ?? 0;
      const data = new BigInt64Array(rows.length * width);
      rows.forEach((row, r) => {
        for (let i = 0; i < width; i++) data[r * width + i] = BigInt(row[i]!);
      });
      tensors[key] = new Tensor("int64", data, [rows.length, width]);
    }
    return tensors;
  };

  const run = async (batch: string[]): Promise<Float32Array[]> => {
    const inputs = tokenize(batch);
    const outputs = (await extractor.model(inputs)) as Record<string, Tensor>;
    let pooled: Tensor;
    if (outputs.sentence_embedding) pooled = outputs.sentence_embedding;
    else if (outputs.last_hidden_state) {
      const hidden = outputs.last_hidden_state;
      pooled = pooling === "mean" ? mean_pooling(hidden, inputs.attention_mask!) : hidden.slice(null, 0);
    } else {
      throw new EmbedderLoadError(`Embedding model "${model}" has neither a sentence_embedding nor a last_hidden_state output; it is not a sentence-embedding model.`);
    }
    // L2-normalise each row in place of Tensor.normalize, which allocates and reads through a Proxy.
    const [rows, dims] = pooled.dims as [number, number];
    const data = pooled.data as Float32Array;
    const vectors: Float32Array[] = [];
    for (let r = 0; r < rows; r++) {
      const v = data.slice(r * dims, (r + 1) * dims);
      let norm = 0;
      for (let d = 0; d < dims; d++) norm += v[d]! * v[d]!;
      norm = Math.sqrt(norm);
      // A text with no known token pools to zero: it stays the zero vector.
      if (norm > 0) for (let d = 0; d < dims; d++) v[d]! /= norm;
      else v.fill(0);
      vectors.push(v);
    }
    return vectors;
  };

  const probe = await run(["dimension probe"]);
  const dimensions = probe[0]!.length;

  return {
    id,
    dimensions,
    model,
    async embed(texts, options = {}) {
      const prefix = options.query ? (config.queryPrefix ?? "") : "";
      const out: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += batchSize) {
        const batch = texts.slice(i, i + batchSize).map((t) => prefix + t);
        out.push(...(await run(batch)));
      }
      return out;
    },
    async dispose() {
      await extractor.dispose();
    },
  };
}
