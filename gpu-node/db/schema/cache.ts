// The GPU node's persistent response cache: seeded generations keyed by model file hash, prompt,
// parameters and seed, so a replayed request returns the same text without spending the GPU.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const responseCache = sqliteTable(
  "response_cache",
  {
    /** sha256 of the canonical request: model file hash, prompt or messages, parameters, seed. */
    key: text("key").primaryKey(),
    modelSha256: text("model_sha256").notNull(),
    modelId: text("model_id").notNull(),
    text: text("text").notNull(),
    tokens: integer("tokens").notNull(),
    /** "eos", "stop" or "maxTokens": aborted generations are never stored. */
    stopReason: text("stop_reason", { enum: ["eos", "stop", "maxTokens"] }).notNull(),
    createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
    lastUsedAt: integer("last_used_at", { mode: "timestamp_ms" }).notNull(),
    hits: integer("hits").notNull().default(0),
  },
  (t) => [index("response_cache_last_used").on(t.lastUsedAt)],
);
