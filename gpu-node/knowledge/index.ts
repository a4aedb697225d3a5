// Public surface of the knowledge base for the rest of the GPU node and the CLI.
export { createKnowledgeBase, entryDocumentId, indexFinishedEntry, RETRIEVAL_INDEX_FILE, PROSE_INDEX_FILE } from "./knowledge-base.ts";
export type { AddDocumentInput, DocumentSummary, KnowledgeBase, KnowledgeBaseOptions, KnowledgeBaseStats, SearchHit, SearchOptions } from "./knowledge-base.ts";
export { createEmbedder, EmbedderLoadError, STATIC_MODEL } from "./embedder.ts";
export type { Embedder, EmbedderConfig } from "./embedder.ts";
export { EmbedderMismatchError, VectorIndex, QUANTIZATIONS } from "./vector-index.ts";
export type { Quantization, IndexSettings, IndexMeta } from "./vector-index.ts";
export { knowledgeRoutes, EmbedRequest, SearchRequest } from "./routes.ts";
export { buildSectionQuery, formatPassagesForPrompt } from "./retrieval.ts";
export type { SectionPlan } from "./retrieval.ts";
export { DEFAULT_UNIQUENESS } from "./uniqueness.ts";
export type { UniquenessFinding, UniquenessReport, UniquenessThresholds } from "./uniqueness.ts";
export { createUniquenessValidator, UNIQUENESS_RULE } from "./uniqueness-validator.ts";
export { maskQuotations } from "./quotation-mask.ts";
export { chunkMarkdown } from "./chunker.ts";
export { defaultGoldenDir, readCorpusFile, corpusDocumentId, syncCorpusDir } from "./corpus.ts";
export { ensureStaticModel, defaultModelCacheDir, STATIC_MODEL_NAME, STATIC_MODEL_VERSION } from "./static-model/build-static-model.ts";
