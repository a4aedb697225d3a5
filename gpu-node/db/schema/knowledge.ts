// Knowledge base tables: the documents (golden exemplars, finished entries, user additions), the
// metadata of their chunks (the usearch index holds only vectors, keyed by kb_chunks.key), and the
// embedder each vector index was built with.
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const kbDocuments = sqliteTable("kb_documents", {
  id: text("id").primaryKey(),
  title: text("title").notNull(),
  /** "golden" (exemplary entry), "entry" (finished by the pipeline) or "user" (`opus corpus add`). */
  kind: text("kind", { enum: ["golden", "entry", "user"] }).notNull(),
  markdown: text("markdown").notNull(),
  /** sha256 of the markdown: re-adding unchanged text is a no-op. */
  contentHash: text("content_hash").notNull(),
  wordCount: integer("word_count").notNull(),
  sourcePath: text("source_path"),
  addedAt: integer("added_at", { mode: "timestamp_ms" }).notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});

export const kbChunks = sqliteTable(
  "kb_chunks",
  {
    /** The key of the chunk's vector in the usearch index. */
    key: integer("key").primaryKey({ autoIncrement: true }),
    documentId: text("document_id")
      .notNull()
      .references(() => kbDocuments.id, { onDelete: "cascade" }),
    ordinal: integer("ordinal").notNull(),
    /** Title of the `## ` section holding the chunk ("" for the lead before section I). */
    section: text("section").notNull(),
    /** UTF-16 offsets [start, end) into the document's markdown. */
    start: integer("start").notNull(),
    end: integer("end").notNull(),
    /** sha256 of the chunk text, for exact-duplicate checks. */
    textHash: text("text_hash").notNull(),
    /** False when quotation masking left too little of the writer's own prose to embed. */
    embedded: integer("embedded", { mode: "boolean" }).notNull(),
  },
  (t) => [index("kb_chunks_document").on(t.documentId), index("kb_chunks_text_hash").on(t.textHash)],
);

export const kbIndexState = sqliteTable("kb_index_state", {
  name: text("name").primaryKey(),
  embedderId: text("embedder_id").notNull(),
  dimensions: integer("dimensions").notNull(),
  quantization: text("quantization").notNull(),
  updatedAt: integer("updated_at", { mode: "timestamp_ms" }).notNull(),
});
