// Opens the sources library the node configuration describes, for the node and `opus sources`.
import type { NodeDb } from "../db/client.ts";
import type { KnowledgeConfig } from "../knowledge/config.ts";
import type { Embedder } from "../knowledge/embedder.ts";
import { defaultSourcesConfig, type SourcesConfig } from "./config.ts";
import { createSourceLibrary, type SourceLibrary, type SourceLibraryOptions } from "./library.ts";

export function openSourceLibrary(
  db: NodeDb,
  config: { knowledge: KnowledgeConfig; sources?: SourcesConfig },
  overrides: Partial<Omit<SourceLibraryOptions, "db">> & { embedder?: Embedder | SourceLibraryOptions["embedder"] } = {},
): Promise<SourceLibrary> {
  const k = config.knowledge;
  const s = config.sources ?? defaultSourcesConfig();
  return createSourceLibrary({
    db,
    dir: s.dir,
    embedder: { model: k.embedder, allowRemote: !k.embedderOffline, cacheDir: k.embedderCache },
    quantization: k.indexQuantization,
    ...overrides,
  });
}
