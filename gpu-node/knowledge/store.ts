// The knowledge base's rows in the node's libSQL database. Multi-statement changes go through
// db.batch, which libSQL runs as one transaction (interactive transactions on an in-memory
// libSQL database would open a second, empty database).
import { asc, eq, inArray } from "drizzle-orm";
import type { NodeDb } from "../db/client.ts";
import { kbChunks, kbDocuments, kbIndexState } from "../db/schema/knowledge.ts";

export type DocumentKind = "golden" | "entry" | "user";
export type DocumentRow = typeof kbDocuments.$inferSelect;
export type ChunkRow = typeof kbChunks.$inferSelect;
export type NewChunk = Omit<typeof kbChunks.$inferInsert, "key" | "documentId">;

export interface IndexState {
  embedderId: string;
  dimensions: number;
  quantization: string;
}

const INDEX_NAME = "default";

export class KnowledgeStore {
  constructor(private readonly db: NodeDb) {}

  async document(id: string): Promise<DocumentRow | undefined> {
    return (await this.db.select().from(kbDocuments).where(eq(kbDocuments.id, id)).limit(1))[0];
  }

  async documents(): Promise<DocumentRow[]> {
    return this.db.select().from(kbDocuments).orderBy(asc(kbDocuments.id));
  }

  async documentsByIds(ids: readonly string[]): Promise<DocumentRow[]> {
    if (ids.length === 0) return [];
    return this.db.select().from(kbDocuments).where(inArray(kbDocuments.id, [...ids]));
  }

  async chunksOf(documentId: string): Promise<ChunkRow[]> {
    return this.db.select().from(kbChunks).where(eq(kbChunks.documentId, documentId)).orderBy(asc(kbChunks.ordinal));
  }

  async chunksByKeys(keys: readonly number[]): Promise<ChunkRow[]> {
    if (keys.length === 0) return [];
    const rows: ChunkRow[] = [];
    // SQLite caps bound parameters; stay well below.
    for (let i = 0; i < keys.length; i += 500) {
      rows.push(...(await this.db.select().from(kbChunks).where(inArray(kbChunks.key, keys.slice(i, i + 500)))));
    }
    return rows;
  }

  async embeddedChunks(): Promise<ChunkRow[]> {
    return this.db.select().from(kbChunks).where(eq(kbChunks.embedded, true)).orderBy(asc(kbChunks.key));
  }

  /** Replaces a document and all its chunks at once; returns the new chunks' keys in order. */
  async replaceDocument(doc: typeof kbDocuments.$inferInsert, chunks: NewChunk[]): Promise<number[]> {
    const results = await this.db.batch([
      this.db.delete(kbChunks).where(eq(kbChunks.documentId, doc.id)),
      this.db
        .insert(kbDocuments)
        .values(doc)
        .onConflictDoUpdate({
          target: kbDocuments.id,
          set: {
            title: doc.title,
            kind: doc.kind,
            markdown: doc.markdown,
            contentHash: doc.contentHash,
            wordCount: doc.wordCount,
            sourcePath: doc.sourcePath ?? null,
            updatedAt: doc.updatedAt,
          },
        }),
      ...(chunks.length > 0
        ? [this.db.insert(kbChunks).values(chunks.map((c) => ({ ...c, documentId: doc.id }))).returning({ key: kbChunks.key })]
        : []),
    ]);
    const inserted = (chunks.length > 0 ? results[2] : []) as { key: number }[];
    return inserted.map((r) => r.key);
  }

  async deleteDocument(id: string): Promise<void> {
    await this.db.batch([this.db.delete(kbChunks).where(eq(kbChunks.documentId, id)), this.db.delete(kbDocuments).where(eq(kbDocuments.id, id))]);
  }

  /** Re-keys every chunk (used when the vector index is rebuilt from scratch). */
  async allChunks(): Promise<ChunkRow[]> {
    return this.db.select().from(kbChunks).orderBy(asc(kbChunks.key));
  }

  async indexState(): Promise<IndexState | undefined> {
    return (await this.db.select().from(kbIndexState).where(eq(kbIndexState.name, INDEX_NAME)).limit(1))[0];
  }

  async setIndexState(state: IndexState): Promise<void> {
    const row = { name: INDEX_NAME, ...state, updatedAt: new Date() };
    await this.db.insert(kbIndexState).values(row).onConflictDoUpdate({ target: kbIndexState.name, set: { ...state, updatedAt: row.updatedAt } });
  }
}
