// Opens the knowledge base the node configuration describes: the GPU node and `opus corpus` both
// open it here, so they share one database, index and embedder cache.
import type { NodeDb } from "../db/client.ts";
import type { KnowledgeConfig } from "./config.ts";
import { createKnowledgeBase, type KnowledgeBase, type KnowledgeBaseOptions } from "./knowledge-base.ts";

/** The knowledge base's options from its section of the node configuration; `overrides` win. */
export function knowledgeBaseOptions(db: NodeDb, k: KnowledgeConfig, overrides: Partial<KnowledgeBaseOptions> = {}): KnowledgeBaseOptions {
  return {
    db,
    dir: k.indexDir,
    embedder: { model: k.embedder, allowRemote: !k.embedderOffline, cacheDir: k.embedderCache },
    quantization: k.indexQuantization,
    ...(k.goldenDir ? { goldenDir: k.goldenDir } : {}),
    ...overrides,
  };
}

export function openKnowledgeBase(db: NodeDb, k: KnowledgeConfig, overrides: Partial<KnowledgeBaseOptions> = {}): Promise<KnowledgeBase> {
  return createKnowledgeBase(knowledgeBaseOptions(db, k, overrides));
}
