// Public surface of the sources library for the rest of the GPU node and the CLI.
export { createSourceLibrary, workId, VECTOR_INDEX_FILE } from "./library.ts";
export type { ImportOptions, ImportPhase, ImportProgress, ImportSummary, LibraryListing, SearchResult, SourceLibrary, SourceLibraryOptions } from "./library.ts";
export { openSourceLibrary } from "./open.ts";
export { sourcesConfigSchema, defaultSourcesConfig, type SourcesConfig } from "./config.ts";
export { SourceFormatError, sourceFiles } from "./formats.ts";
export { cutPassages, DEFAULT_CUT } from "./passages.ts";
export { authorRefOf, formatCitation, workName } from "./titles.ts";
