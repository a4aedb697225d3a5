// The knowledge base's settings (key `knowledge` of the node configuration): the embedder, where its
// model and the vector index live, and the index's quantization. The node and `opus corpus` read the
// same section, so they open the same database, index and model cache.
import { z } from "zod";
import type { Quantization } from "./vector-index.ts";

const bool = z.boolean({ error: "expected true or false" });

export const knowledgeConfigSchema = z.strictObject({
  enabled: bool.default(true),
  /** "opus-static" (built in, offline) or a sentence-embedding model id or folder, e.g. "Xenova/bge-small-en-v1.5". */
  embedder: z.string().min(1).default("opus-static"),
  /** Where embedding models are built (the static one) or cached (downloaded ones). */
  embedderCache: z.string().min(1).default(".opus/cache/models"),
  /** Never download an embedding model (one missing from embedderCache fails at start, naming the fix). */
  embedderOffline: z.preprocess((v) => (v === 1 ? true : v === 0 ? false : v), bool).default(false),
  /** Vector type of a new index (`opus corpus rebuild` applies a change to an existing one). */
  indexQuantization: z.enum(["f32", "f16", "i8"] as const satisfies readonly Quantization[], { error: 'expected "f32", "f16" or "i8"' }).default("f32"),
  /** Folder of the vector index files. */
  indexDir: z.string().min(1).default(".opus/knowledge"),
  /** Golden corpus folder synced at start (default: corpus/golden of this repository). */
  goldenDir: z.string().min(1).optional(),
});

export type KnowledgeConfig = z.output<typeof knowledgeConfigSchema>;
