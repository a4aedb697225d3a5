// The entry lifecycle, shared by the edge and the GPU node: statuses and their predicates, the table
// of allowed moves, and the progress record.
export * from "./statuses.ts";
export * from "./transitions.ts";
export * from "./progress.ts";
