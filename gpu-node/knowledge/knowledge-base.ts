// The knowledge base: documents and chunk metadata in libSQL, chunk vectors in two usearch indexes
// on disk, word shingles and passage vocabularies in memory.
//   - retrieval index: each passage embedded with its context (entry title, section title) and
//     its quotations, as a writer looking for grounding would want it found;
//   - prose index: each passage's own prose only (quotations, citations and headings masked), the
//     vector space the uniqueness check compares in.
// It grounds each section (retrieval) and checks each new entry for near-duplicates (uniqueness).
// The golden corpus (corpus/golden/*.md) is synced in at open.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { NodeDb } from "../db/client.ts";
import { countWords } from "../../shared/text/words.ts";
import { chunkMarkdown, DEFAULT_CHUNKING, markdownTitle, type ChunkOptions } from "./chunker.ts";
import { defaultGoldenDir, syncCorpusDir } from "./corpus.ts";
import { createEmbedder, type Embedder, type EmbedderConfig } from "./embedder.ts";
import { PassageVocabulary } from "./lexical-overlap.ts";
import { maskQuotations } from "./quotation-mask.ts";
import { buildSectionQuery, type SectionPlan } from "./retrieval.ts";
import { ShingleIndex } from "./shingles.ts";
import { KnowledgeStore, type ChunkRow, type DocumentKind, type DocumentRow } from "./store.ts";
import {
  DEFAULT_UNIQUENESS,
  findNearDuplicates,
  scorePassages,
  type MatchedPassage,
  type PassageScore,
  type UniquenessReport,
  type UniquenessSources,
  type UniquenessThresholds,
} from "./uniqueness.ts";
import { EmbedderMismatchError, VectorIndex, type IndexSettings, type Quantization } from "./vector-index.ts";

export interface KnowledgeBaseOptions {
  db: NodeDb;
  /** Folder for the vector index files (retrieval.usearch, prose.usearch and their .meta.json). */
  dir: string;
  /** An embedder configuration, or an embedder already made (to share one between users). */
  embedder?: EmbedderConfig | Embedder;
  /** Scalar type of the vectors in a new index (f32 default; f16 halves memory, i8 quarters it). */
  quantization?: Quantization;
  /** HNSW settings of a new index. */
  index?: Pick<IndexSettings, "connectivity" | "expansionAdd" | "expansionSearch">;
  /** Memory-map saved indexes instead of loading them (default true); the first change loads them. */
  view?: boolean;
  /** Golden corpus folder to sync at open; default corpus/golden of this repository; false for none. */
  goldenDir?: string | false;
  uniqueness?: Partial<UniquenessThresholds>;
  chunking?: ChunkOptions;
}

export interface AddDocumentInput {
  id: string;
  /** Default: the markdown's `# ` title line. */
  title?: string;
  markdown: string;
  kind: DocumentKind;
  sourcePath?: string;
}

export interface DocumentSummary {
  id: string;
  title: string;
  kind: DocumentKind;
  words: number;
  chunks: number;
  sourcePath: string | null;
  updatedAt: Date;
}

export interface SearchHit {
  /** The chunk's key in the vector indexes. */
  key: number;
  documentId: string;
  documentTitle: string;
  kind: DocumentKind;
  section: string;
  /** UTF-16 offsets into the document's markdown. */
  start: number;
  end: number;
  text: string;
  /** Cosine similarity to the query. */
  score: number;
}

export interface SearchOptions {
  /** Document ids to leave out. */
  exclude?: string | readonly string[];
  kinds?: readonly DocumentKind[];
}

export interface KnowledgeBaseStats {
  documents: number;
  /** Passages in the retrieval index. */
  vectors: number;
  /** Passages in the prose index (those with enough unquoted prose). */
  proseVectors: number;
  embedderId: string;
  dimensions: number;
  quantization: Quantization;
  dir: string;
}

export interface KnowledgeBase {
  readonly embedder: Embedder;
  readonly dir: string;
  embed(texts: readonly string[]): Promise<Float32Array[]>;
  addDocument(input: AddDocumentInput): Promise<{ id: string; chunks: number; changed: boolean }>;
  removeDocument(id: string): Promise<boolean>;
  listDocuments(): Promise<DocumentSummary[]>;
  search(query: string, k?: number, options?: SearchOptions): Promise<SearchHit[]>;
  /** Search with a vector the caller embedded; refused unless `embedderId` is this index's. */
  searchVector(vector: Float32Array, k: number, options: SearchOptions & { embedderId: string }): Promise<SearchHit[]>;
  retrieveForSection(plan: SectionPlan, k?: number): Promise<SearchHit[]>;
  checkUniqueness(markdown: string, options?: { excludeDocument?: string | readonly string[]; thresholds?: Partial<UniquenessThresholds> }): Promise<UniquenessReport>;
  /** Each checked passage's best match and scores, flagged or not (for calibration and diagnostics). */
  scorePassages(markdown: string, options?: { excludeDocument?: string | readonly string[]; thresholds?: Partial<UniquenessThresholds> }): Promise<PassageScore[]>;
  /** Re-chunks and re-embeds every document into new indexes (after changing the embedder). */
  rebuild(): Promise<{ documents: number; vectors: number }>;
  /** Writes the vector indexes to disk (documents and chunks are already in the database). */
  save(): Promise<void>;
  stats(): Promise<KnowledgeBaseStats>;
  close(): Promise<void>;
}

const AddDocumentSchema = z.object({
  id: z
    .string()
    .min(1, "id must not be empty")
    .max(200)
    .regex(/^[\p{L}\p{N}._:/-]+$/u, "id may hold letters, digits and . _ : / - only"),
  title: z.string().min(1).max(300).optional(),
  markdown: z.string().refine((s) => countWords(s) > 0, "markdown has no words"),
  kind: z.enum(["golden", "entry", "user"]),
  sourcePath: z.string().optional(),
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Fewer unquoted words than this and a passage gets no prose vector (a block quote, a list of references). */
const MIN_PROSE_WORDS = 5;

export const RETRIEVAL_INDEX_FILE = "retrieval.usearch";
export const PROSE_INDEX_FILE = "prose.usearch";

interface PreparedChunk {
  passage: ReturnType<typeof chunkMarkdown>[number];
  /** What the retrieval index embeds: entry title, section title, passage. */
  contextText: string;
  /** What the prose index embeds: the passage with quotations masked. */
  maskedText: string;
  hasProse: boolean;
}

interface Indexes {
  retrieval: VectorIndex;
  prose: VectorIndex;
}

export async function createKnowledgeBase(options: KnowledgeBaseOptions): Promise<KnowledgeBase> {
  const store = new KnowledgeStore(options.db);
  const embedder = isEmbedder(options.embedder) ? options.embedder : await createEmbedder(options.embedder);
  const ownsEmbedder = !isEmbedder(options.embedder);
  const chunking = { ...DEFAULT_CHUNKING, ...options.chunking };
  const dir = path.resolve(options.dir);
  mkdirSync(dir, { recursive: true });
  const files = { retrieval: path.join(dir, RETRIEVAL_INDEX_FILE), prose: path.join(dir, PROSE_INDEX_FILE) };
  const settings: IndexSettings = {
    embedderId: embedder.id,
    dimensions: embedder.dimensions,
    quantization: options.quantization ?? "f32",
    ...options.index,
  };
  const freshIndexes = (): Indexes => ({ retrieval: VectorIndex.create(settings), prose: VectorIndex.create(settings) });

  let indexes: Indexes;
  /** Set when the saved indexes belong to another embedder: every vector operation is refused. */
  let mismatch: EmbedderMismatchError | undefined;
  let dirty = false;

  if (existsSync(files.retrieval) && existsSync(files.prose)) {
    const meta = VectorIndex.readMeta(files.retrieval);
    if (meta.embedderId !== embedder.id || meta.dimensions !== embedder.dimensions) {
      mismatch = new EmbedderMismatchError({ id: meta.embedderId, dimensions: meta.dimensions }, embedder, `in ${dir}`);
      indexes = freshIndexes();
    } else {
      const view = options.view ?? true;
      indexes = { retrieval: VectorIndex.open(files.retrieval, { view, expect: embedder }), prose: VectorIndex.open(files.prose, { view, expect: embedder }) };
    }
  } else {
    indexes = freshIndexes();
  }

  const assertUsable = () => {
    if (mismatch) throw mismatch;
  };

  // Shingles and passage vocabularies are built on the first uniqueness check, from the stored
  // documents, and kept current by later changes.
  type Lexical = { shingles: ShingleIndex; vocabulary: PassageVocabulary };
  let lexical: Lexical | undefined;
  const indexLexically = (target: Lexical, markdown: string, documentId: string, chunks: readonly { key: number; start: number; end: number }[]) => {
    const { masked } = maskQuotations(markdown);
    target.shingles.add(documentId, masked);
    for (const c of chunks) target.vocabulary.add(c.key, masked.slice(c.start, c.end));
  };
  const lexicalIndexes = async (): Promise<Lexical> => {
    if (!lexical) {
      const built = { shingles: new ShingleIndex(), vocabulary: new PassageVocabulary() };
      for (const doc of await store.documents()) indexLexically(built, doc.markdown, doc.id, (await store.chunksOf(doc.id)).filter((c) => c.embedded));
      lexical = built;
    }
    return lexical;
  };

  const prepareChunks = (markdown: string, title: string): PreparedChunk[] => {
    const { masked } = maskQuotations(markdown);
    return chunkMarkdown(markdown, chunking).map((passage) => {
      const maskedText = masked.slice(passage.start, passage.end);
      return {
        passage,
        contextText: [title, passage.section, passage.text].filter(Boolean).join(". "),
        maskedText,
        hasProse: countWords(maskedText) >= MIN_PROSE_WORDS,
      };
    });
  };

  const chunkRows = (chunks: PreparedChunk[]) =>
    chunks.map((c) => ({
      ordinal: c.passage.ordinal,
      section: c.passage.section,
      start: c.passage.start,
      end: c.passage.end,
      textHash: sha256(c.passage.text),
      embedded: c.hasProse,
    }));

  /** Embeds a document's chunks for both indexes and stores it; returns the chunks' new keys. */
  const storeAndEmbed = async (doc: Parameters<KnowledgeStore["replaceDocument"]>[0], chunks: PreparedChunk[], target: Indexes) => {
    const prose = chunks.filter((c) => c.hasProse);
    const contextVectors = await embedder.embed(chunks.map((c) => c.contextText));
    const proseVectors = await embedder.embed(prose.map((c) => c.maskedText));
    const keys = await store.replaceDocument(doc, chunkRows(chunks));
    const proseKeys = keys.filter((_, i) => chunks[i]!.hasProse);
    target.retrieval.add(keys, contextVectors);
    target.prose.add(proseKeys, proseVectors);
    return { keys, proseKeys, prose };
  };

  const addDocument = async (input: AddDocumentInput) => {
    assertUsable();
    const parsed = AddDocumentSchema.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "document"}: ${i.message}`).join("; ");
      throw new Error(`Invalid document for the knowledge base: ${problems}`);
    }
    const doc = parsed.data;
    const title = doc.title ?? markdownTitle(doc.markdown) ?? doc.id;
    const contentHash = sha256(doc.markdown);
    const existing = await store.document(doc.id);
    if (existing && existing.contentHash === contentHash && existing.title === title && existing.kind === doc.kind) {
      return { id: doc.id, chunks: (await store.chunksOf(doc.id)).length, changed: false };
    }
    const oldChunks = existing ? await store.chunksOf(doc.id) : [];
    const chunks = prepareChunks(doc.markdown, title);
    const now = new Date();
    const { proseKeys, prose } = await storeAndEmbed(
      {
        id: doc.id,
        title,
        kind: doc.kind,
        markdown: doc.markdown,
        contentHash,
        wordCount: countWords(doc.markdown),
        sourcePath: doc.sourcePath ?? null,
        addedAt: existing?.addedAt ?? now,
        updatedAt: now,
      },
      chunks,
      indexes,
    );
    // Only now that the new version is stored: an embedding failure above leaves the old intact.
    indexes.retrieval.remove(oldChunks.map((c) => c.key));
    indexes.prose.remove(oldChunks.filter((c) => c.embedded).map((c) => c.key));
    dirty = true;
    if (lexical) {
      for (const c of oldChunks) lexical.vocabulary.remove(c.key);
      indexLexically(
        lexical,
        doc.markdown,
        doc.id,
        proseKeys.map((key, i) => ({ key, start: prose[i]!.passage.start, end: prose[i]!.passage.end })),
      );
    }
    return { id: doc.id, chunks: chunks.length, changed: true };
  };

  const removeDocument = async (id: string) => {
    assertUsable();
    const existing = await store.document(id);
    if (!existing) return false;
    const chunks = await store.chunksOf(id);
    await store.deleteDocument(id);
    indexes.retrieval.remove(chunks.map((c) => c.key));
    indexes.prose.remove(chunks.filter((c) => c.embedded).map((c) => c.key));
    dirty = true;
    if (lexical) {
      lexical.shingles.remove(id);
      for (const c of chunks) lexical.vocabulary.remove(c.key);
    }
    return true;
  };

  const hitsFor = async (matches: { key: number; similarity: number }[], k: number, options: SearchOptions): Promise<SearchHit[]> => {
    const excluded = new Set(typeof options.exclude === "string" ? [options.exclude] : (options.exclude ?? []));
    const chunks = new Map((await store.chunksByKeys(matches.map((m) => m.key))).map((c) => [c.key, c]));
    const documentIds = [...new Set([...chunks.values()].map((c) => c.documentId))];
    const docs = new Map((await store.documentsByIds(documentIds)).map((d) => [d.id, d]));
    const hits: SearchHit[] = [];
    for (const m of matches) {
      const chunk = chunks.get(m.key);
      const doc = chunk && docs.get(chunk.documentId);
      if (!chunk || !doc || excluded.has(doc.id)) continue;
      if (options.kinds && !options.kinds.includes(doc.kind)) continue;
      hits.push(toHit(chunk, doc, m.similarity));
      if (hits.length === k) break;
    }
    return hits;
  };

  /** Nearest chunks after filtering: asks usearch for more until enough survive the filter. */
  const searchIn = async (index: VectorIndex, vector: Float32Array, k: number, options: SearchOptions = {}): Promise<SearchHit[]> => {
    assertUsable();
    if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive integer, got ${k}`);
    const filtered = options.exclude !== undefined || options.kinds !== undefined;
    let fetch = filtered ? k * 4 : k;
    for (;;) {
      const matches = index.search(vector, fetch);
      const hits = await hitsFor(matches, k, options);
      if (hits.length >= k || matches.length < fetch || fetch >= index.size) return hits;
      fetch = Math.min(index.size, fetch * 4);
    }
  };

  const search = async (query: string, k = 8, options: SearchOptions = {}) => {
    assertUsable();
    if (typeof query !== "string" || query.trim() === "") throw new Error("search query must be a non-empty string");
    const [vector] = await embedder.embed([query], { query: true });
    return searchIn(indexes.retrieval, vector!, k, options);
  };

  const save = async () => {
    assertUsable();
    indexes.retrieval.save(files.retrieval);
    indexes.prose.save(files.prose);
    await store.setIndexState({ embedderId: embedder.id, dimensions: embedder.dimensions, quantization: indexes.retrieval.meta.quantization });
    dirty = false;
  };

  const rebuild = async () => {
    const next = freshIndexes();
    const docs = await store.documents();
    for (const doc of docs) {
      // Chunking may have changed too: re-chunk from the stored markdown.
      await storeAndEmbed(doc, prepareChunks(doc.markdown, doc.title), next);
    }
    indexes = next;
    mismatch = undefined;
    lexical = undefined;
    dirty = true;
    await save();
    return { documents: docs.length, vectors: next.retrieval.size };
  };

  // A crash between a database change and save() leaves the two out of step: rebuild then.
  if (!mismatch) {
    const chunks = await store.allChunks();
    const prose = chunks.filter((c) => c.embedded);
    const consistent =
      chunks.length === indexes.retrieval.size &&
      prose.length === indexes.prose.size &&
      chunks.every((c) => indexes.retrieval.contains(c.key)) &&
      prose.every((c) => indexes.prose.contains(c.key));
    if (!consistent) await rebuild();
  }

  async function listDocuments(): Promise<DocumentSummary[]> {
    const docs = await store.documents();
    const counts = new Map<string, number>();
    for (const c of await store.allChunks()) counts.set(c.documentId, (counts.get(c.documentId) ?? 0) + 1);
    return docs.map((d) => ({
      id: d.id,
      title: d.title,
      kind: d.kind,
      words: d.wordCount,
      chunks: counts.get(d.id) ?? 0,
      sourcePath: d.sourcePath,
      updatedAt: d.updatedAt,
    }));
  }

  if (options.goldenDir !== false && !mismatch) {
    const goldenDir = options.goldenDir ?? defaultGoldenDir();
    if (existsSync(goldenDir)) {
      const result = await syncCorpusDir({ addDocument, removeDocument, listDocuments }, goldenDir, "golden");
      if (result.added + result.updated + result.removed > 0) await save();
    }
  }

  const describe = async (documentId: string, start: number, end: number): Promise<MatchedPassage> => {
    const doc = await store.document(documentId);
    const chunk = (await store.chunksOf(documentId)).find((c) => c.start <= start && start < c.end);
    return { documentId, documentTitle: doc?.title ?? documentId, section: chunk?.section ?? "", start, end };
  };

  const uniquenessSources = async (): Promise<UniquenessSources> => {
    const { shingles, vocabulary } = await lexicalIndexes();
    return {
      shingles,
      embed: (texts) => embedder.embed(texts),
      async nearest(vector, k, excluded) {
        const hits = await searchIn(indexes.prose, vector, k, { exclude: [...excluded] });
        return hits.map((h) => ({ key: h.key, documentId: h.documentId, documentTitle: h.documentTitle, section: h.section, start: h.start, end: h.end, similarity: h.score }));
      },
      overlap: (words, key) => vocabulary.containment(words, key),
      describe,
    };
  };

  const excludeSet = (value: string | readonly string[] | undefined) => new Set(typeof value === "string" ? [value] : (value ?? []));

  return {
    embedder,
    dir,
    embed: (texts) => embedder.embed(texts),
    addDocument,
    removeDocument,
    listDocuments,
    search,
    async searchVector(vector, k, options) {
      assertUsable();
      indexes.retrieval.assertEmbedder({ id: options.embedderId, dimensions: vector.length });
      return searchIn(indexes.retrieval, vector, k, options);
    },
    async retrieveForSection(plan, k = 5) {
      const hits = await search(buildSectionQuery(plan), k * 4);
      // At most half of the passages from one document, so one exemplar does not crowd out the rest.
      const perDocument = Math.max(1, Math.ceil(k / 2));
      const taken = new Map<string, number>();
      const chosen: SearchHit[] = [];
      for (const hit of hits) {
        const n = taken.get(hit.documentId) ?? 0;
        if (n >= perDocument) continue;
        taken.set(hit.documentId, n + 1);
        chosen.push(hit);
        if (chosen.length === k) break;
      }
      return chosen;
    },
    async checkUniqueness(markdown, opts = {}) {
      assertUsable();
      return findNearDuplicates(markdown, await uniquenessSources(), {
        exclude: excludeSet(opts.excludeDocument),
        thresholds: { ...options.uniqueness, ...opts.thresholds },
        chunking,
      });
    },
    async scorePassages(markdown, opts = {}) {
      assertUsable();
      const thresholds = { ...DEFAULT_UNIQUENESS, ...options.uniqueness, ...opts.thresholds };
      return scorePassages(markdown, await uniquenessSources(), thresholds, excludeSet(opts.excludeDocument), chunking);
    },
    rebuild,
    save,
    async stats() {
      return {
        documents: (await store.documents()).length,
        vectors: indexes.retrieval.size,
        proseVectors: indexes.prose.size,
        embedderId: mismatch ? mismatch.indexEmbedder.id : embedder.id,
        dimensions: mismatch ? mismatch.indexEmbedder.dimensions : embedder.dimensions,
        quantization: indexes.retrieval.meta.quantization,
        dir,
      };
    },
    async close() {
      if (dirty && !mismatch) await save();
      if (ownsEmbedder) await embedder.dispose();
    },
  };
}

function isEmbedder(value: EmbedderConfig | Embedder | undefined): value is Embedder {
  return typeof (value as Embedder | undefined)?.embed === "function";
}

function toHit(chunk: ChunkRow, doc: DocumentRow, score: number): SearchHit {
  return {
    key: chunk.key,
    documentId: doc.id,
    documentTitle: doc.title,
    kind: doc.kind,
    section: chunk.section,
    start: chunk.start,
    end: chunk.end,
    text: doc.markdown.slice(chunk.start, chunk.end),
    score,
  };
}

/** The knowledge-base id of a finished entry: one document per entry, replaced if the entry is written again. */
export function entryDocumentId(entryId: string): string {
  return `entry/${entryId}`;
}

/** Indexes a finished entry (for retrieval and for later uniqueness checks) and saves the index. */
export async function indexFinishedEntry(kb: KnowledgeBase, entry: { entryId: string; title?: string; markdown: string }): Promise<{ id: string; chunks: number }> {
  const result = await kb.addDocument({ id: entryDocumentId(entry.entryId), markdown: entry.markdown, kind: "entry", ...(entry.title ? { title: entry.title } : {}) });
  await kb.save();
  return { id: result.id, chunks: result.chunks };
}
