// Every table of the GPU node's local database. Each feature keeps its tables in its own file here.
export {};
export * from "./knowledge.ts";
export * from "./cache.ts";
export * from "./entries.ts";
export * from "./sources.ts";
