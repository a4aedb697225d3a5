// Where the knowledge base lives and which embedder it uses, from OPUS_* variables, so that the
// GPU node and `opus corpus` open the same database, index and model cache.
//   OPUS_NODE_DB        the node's libSQL file (default .opus/gpu-node.db)
//   OPUS_KNOWLEDGE_DIR  the vector index folder (default .opus/knowledge)
//   OPUS_EMBEDDER       embedding model: "opus-static" (default), a hub id, or a local folder
//   OPUS_MODEL_CACHE    model cache (default $OPUS_CACHE_DIR/models, else .opus/cache/models)
//   OPUS_EMBEDDER_OFFLINE=1  never download an embedding model
//   OPUS_INDEX_QUANTIZATION  f32 (default), f16 or i8
import path from "node:path";
import type { EmbedderConfig } from "./embedder.ts";
import { QUANTIZATIONS, type Quantization } from "./vector-index.ts";

export interface KnowledgeSettings {
  dbFile: string;
  dir: string;
  embedder: EmbedderConfig;
  quantization: Quantization;
}

export function knowledgeSettingsFromEnv(env: Record<string, string | undefined> = process.env): KnowledgeSettings {
  const quantization = (env.OPUS_INDEX_QUANTIZATION ?? "f32") as Quantization;
  if (!QUANTIZATIONS.includes(quantization)) {
    throw new Error(`OPUS_INDEX_QUANTIZATION must be one of ${QUANTIZATIONS.join(", ")}, got "${env.OPUS_INDEX_QUANTIZATION}"`);
  }
  const cacheDir = env.OPUS_MODEL_CACHE ?? (env.OPUS_CACHE_DIR ? path.join(env.OPUS_CACHE_DIR, "models") : path.join(".opus", "cache", "models"));
  return {
    dbFile: env.OPUS_NODE_DB ?? path.join(".opus", "gpu-node.db"),
    dir: env.OPUS_KNOWLEDGE_DIR ?? path.join(".opus", "knowledge"),
    embedder: {
      ...(env.OPUS_EMBEDDER ? { model: env.OPUS_EMBEDDER } : {}),
      cacheDir: path.resolve(cacheDir),
      ...(env.OPUS_EMBEDDER_OFFLINE === "1" ? { allowRemote: false } : {}),
    },
    quantization,
  };
}
