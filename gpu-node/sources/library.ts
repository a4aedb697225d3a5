// The sources library: the Fathers, the councils and the Scriptures, imported from JSON Lines,
// Markdown or text files into the node's libSQL database (works, citable passages, verses, FTS5
// indexes), with the passages' vectors in a usearch index on disk for search by meaning.
//
// Import is incremental and resumable. Each work (a line of JSON Lines, a Markdown file) or book
// of a translation is written in one transaction, keyed by a hash of what was read: unchanged ones
// are skipped, changed ones replaced. Embedding is a second phase that works from the database, not
// the files: passages without a vector get one, vectors without a passage are dropped, and the
// index is saved every few thousand vectors. A kill at any point loses at most the work being
// written and the vectors since the last save; the next import carries on from there.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import type { NodeDb } from "../db/client.ts";
import { createEmbedder, type Embedder, type EmbedderConfig } from "../knowledge/embedder.ts";
import { VectorIndex, type Quantization } from "../knowledge/vector-index.ts";
import { NORMALIZER_VERSION } from "../../shared/validation/quotation/normalize.ts";
import type { SourceLookup, SourcePassage } from "../../shared/validation/quotation/lookup.ts";
import { resolveBook } from "../../shared/validation/scripture/canon.ts";
import { readSourceFile, sourceFiles, SourceFormatError, type VerseRecord, type WorkRecord } from "./formats.ts";
import { cutPassages, type CutOptions } from "./passages.ts";
import { createSourceLookup } from "./lookup.ts";
import { SourceStore, type VerseInput, type WorkRow } from "./store.ts";
import { authorRefOf, slug, workName } from "./titles.ts";

export const VECTOR_INDEX_FILE = "passages.usearch";

export interface SourceLibraryOptions {
  db: NodeDb;
  /** Folder of the passages' vector index. */
  dir: string;
  /** The embedder for search by meaning, or false for a text-only library (`opus lint --sources`). */
  embedder?: EmbedderConfig | Embedder | false;
  quantization?: Quantization;
  cut?: Partial<CutOptions>;
}

export type ImportPhase = "reading" | "embedding" | "reindexing";

export interface ImportProgress {
  phase: ImportPhase;
  file?: string;
  /** Bytes of all files read so far / in all (reading); vectors made / needed (embedding). */
  done: number;
  total: number;
  added: number;
  replaced: number;
  unchanged: number;
  words: number;
}

export interface ImportOptions {
  onProgress?: (p: ImportProgress) => void;
  /** Embed the new passages (default: when the library has an embedder). */
  vectors?: boolean;
  /** Works of text written per transaction, at most (small works are grouped for speed). */
  worksPerTransaction?: number;
  signal?: AbortSignal;
}

export interface ImportSummary {
  files: number;
  skippedFiles: string[];
  added: number;
  replaced: number;
  unchanged: number;
  books: { added: number; replaced: number; unchanged: number };
  /** Words of the works added or replaced. */
  words: number;
  passages: number;
  vectors: number;
  seconds: number;
}

export interface SearchResult {
  passage: SourcePassage;
  /** BM25 rank order for text search (higher is better), cosine similarity for meaning. */
  score: number;
  via: "text" | "meaning";
}

export interface LibraryListing {
  /** One row per author and title; `id` is the id prefix all its parts share (what `remove` takes). */
  works: { id: string; author: string; authorRef: string; title: string; parts: number; words: number; passages: number; year: number | null }[];
  translations: { translation: string; books: number; verses: number }[];
}

export interface SourceLibrary {
  readonly store: SourceStore;
  readonly lookup: SourceLookup;
  readonly hasVectors: boolean;
  import(paths: readonly string[], options?: ImportOptions): Promise<ImportSummary>;
  /** Embeds passages that have no vector yet; drops vectors whose passage is gone. */
  embedPending(options?: Pick<ImportOptions, "onProgress" | "signal">): Promise<number>;
  list(): Promise<LibraryListing>;
  /** Removes works by id or id prefix ("basil-of-caesarea", "basil-of-caesarea/letters"), or a translation ("bible/web"). */
  remove(selectors: readonly string[]): Promise<{ works: number; verses: number; unknown: string[] }>;
  searchText(query: string, options?: { k?: number; authorRefs?: readonly string[] }): Promise<SearchResult[]>;
  searchMeaning(query: string, options?: { k?: number; authorRefs?: readonly string[] }): Promise<SearchResult[]>;
  stats(): Promise<{ works: number; passages: number; words: number; verses: number; vectors: number; translations: string[] }>;
  close(): Promise<void>;
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Ids are slugs of the author and the work: "basil-of-caesarea/letters/letter-1". */
export function workId(author: string, work: string, part: string | null): string {
  return [slug(author), ...work.split(/\s+\/\s+/).map(slug), ...(part ? [slug(part)] : [])].filter(Boolean).join("/");
}

function bookOsis(name: string): string | null {
  if (/^(?:additional psalm|psalm 151)$/i.test(name.trim())) return "Ps151";
  return resolveBook(name);
}

function countWords(text: string): number {
  return (text.match(/\S+/g) ?? []).length;
}

export async function createSourceLibrary(options: SourceLibraryOptions): Promise<SourceLibrary> {
  const store = new SourceStore(options.db);
  const dir = path.resolve(options.dir);
  const indexFile = path.join(dir, VECTOR_INDEX_FILE);
  const embedderOption = options.embedder ?? {};
  let embedder: Embedder | undefined;
  let ownsEmbedder = false;
  const getEmbedder = async (): Promise<Embedder | undefined> => {
    if (embedderOption === false) return undefined;
    if (!embedder) {
      if (typeof (embedderOption as Embedder).embed === "function") embedder = embedderOption as Embedder;
      else {
        embedder = await createEmbedder(embedderOption as EmbedderConfig);
        ownsEmbedder = true;
      }
    }
    return embedder;
  };
  let index: VectorIndex | undefined;
  let indexDirty = false;
  const openIndex = async (): Promise<VectorIndex | undefined> => {
    const e = await getEmbedder();
    if (!e) return undefined;
    if (index) return index;
    mkdirSync(dir, { recursive: true });
    if (existsSync(indexFile)) {
      const meta = VectorIndex.readMeta(indexFile);
      if (meta.embedderId === e.id && meta.dimensions === e.dimensions) index = VectorIndex.open(indexFile, { view: false, expect: e });
      else {
        // Vectors of another embedder mean nothing here: start over (the next embedding pass refills it).
        rmSync(indexFile, { force: true });
        rmSync(`${indexFile}.meta.json`, { force: true });
      }
    }
    index ??= VectorIndex.create({ embedderId: e.id, dimensions: e.dimensions, quantization: options.quantization ?? "f32" });
    return index;
  };
  const saveIndex = () => {
    if (index && indexDirty) {
      index.save(indexFile);
      indexDirty = false;
    }
  };

  // The full-text indexes hold normalised words: a new normaliser means re-indexing the text.
  const version = await store.state("normalizer");
  if (version !== String(NORMALIZER_VERSION)) {
    const { passages, verses } = await store.counts();
    if (passages + verses > 0) await store.reindexText();
    await store.setState("normalizer", String(NORMALIZER_VERSION));
  }

  let authorCache: Set<string> | undefined;
  const invalidate = () => {
    authorCache = undefined;
    lookup.invalidate();
  };
  const lookup = createSourceLookup(store, async () => (authorCache ??= await store.authorRefs()));

  const embedPending = async (opts: Pick<ImportOptions, "onProgress" | "signal"> = {}): Promise<number> => {
    const idx = await openIndex();
    const e = await getEmbedder();
    if (!idx || !e) return 0;
    const ids = await store.passageIds();
    const present = new Set(ids);
    // Vectors of passages no longer in the library (a replaced or removed work, a kill before a save).
    const top = await store.maxPassageSeq();
    const stale: number[] = [];
    for (let key = 1; key <= top; key++) if (!present.has(key) && idx.contains(key)) stale.push(key);
    if (stale.length > 0) {
      idx.remove(stale);
      indexDirty = true;
    }
    const missing = ids.filter((id) => !idx.contains(id));
    const progress = (done: number) => opts.onProgress?.({ phase: "embedding", done, total: missing.length, added: 0, replaced: 0, unchanged: 0, words: 0 });
    progress(0);
    let sinceSave = 0;
    for (let i = 0; i < missing.length; i += 256) {
      opts.signal?.throwIfAborted();
      const batch = await store.embeddingTexts(missing.slice(i, i + 256));
      const vectors = await e.embed(batch.map((b) => b.text));
      idx.add(
        batch.map((b) => b.id),
        vectors,
      );
      indexDirty = true;
      sinceSave += batch.length;
      if (sinceSave >= 8192) {
        saveIndex();
        sinceSave = 0;
      }
      progress(Math.min(missing.length, i + 256));
    }
    saveIndex();
    return missing.length;
  };

  async function importPaths(paths: readonly string[], opts: ImportOptions = {}): Promise<ImportSummary> {
    const started = performance.now();
    const files: string[] = [];
    const skippedFiles: string[] = [];
    // Every path is checked before anything is written, so a typo stops the command at once.
    for (const p of paths) {
      const found = sourceFiles(p);
      files.push(...found.files);
      skippedFiles.push(...found.skipped);
    }
    const totalBytes = files.reduce((n, f) => n + statSync(f).size, 0);
    const summary: ImportSummary = { files: files.length, skippedFiles, added: 0, replaced: 0, unchanged: 0, books: { added: 0, replaced: 0, unchanged: 0 }, words: 0, passages: 0, vectors: 0, seconds: 0 };
    const hashes = await store.workHashes();
    const bookHashes = await store.bookHashes();
    const perTransaction = opts.worksPerTransaction ?? 64;
    let bytesBefore = 0;
    const report = (file: string, bytes: number) =>
      opts.onProgress?.({ phase: "reading", file, done: bytesBefore + bytes, total: totalBytes, added: summary.added, replaced: summary.replaced, unchanged: summary.unchanged, words: summary.words });

    for (const file of files) {
      const origin = file;
      let pending: Parameters<SourceStore["commit"]>[0] = [];
      let pendingWorks = 0;
      let pendingPassages = 0;
      const flush = async () => {
        await store.commit(pending);
        pending = [];
        pendingWorks = 0;
        pendingPassages = 0;
      };
      const books = new Map<string, { translation: string; osis: string; name: string; licence: string | null; verses: VerseInput[] }>();
      const seen = new Set<string>();
      let lastBytes = 0;
      try {
        for await (const { record, line, bytes } of readSourceFile(file)) {
          opts.signal?.throwIfAborted();
          lastBytes = bytes;
          if (record.kind === "verse") {
            addVerse(books, record, `${file}:${line}`);
            continue;
          }
          const work = record as WorkRecord;
          const name = workName(work.work, work.part);
          const id = workId(work.author, work.work, work.part);
          if (seen.has(id)) throw new SourceFormatError(`${file}:${line}: a second "${work.author}", "${work.work}"${work.part ? `, "${work.part}"` : ""} in the same file; give each part its own "part" or work title`);
          seen.add(id);
          const contentHash = sha256(JSON.stringify([work.author, work.work, work.part, work.year, work.series, work.source, work.licence, work.text]));
          const previous = hashes.get(id);
          if (previous === contentHash) {
            summary.unchanged++;
          } else {
            const passages = cutPassages(work.text, options.cut);
            const row: WorkRow = {
              id,
              author: work.author,
              authorRef: authorRefOf(work.author),
              work: work.work,
              title: name.title,
              part: name.part,
              partNumber: name.partNumber,
              year: work.year,
              series: work.series,
              sourceUrl: work.source,
              licence: work.licence,
              origin,
              contentHash,
              words: countWords(work.text),
            };
            pending.push(...(await store.replaceWorkStatements(row, passages)));
            pendingWorks++;
            pendingPassages += passages.length;
            hashes.set(id, contentHash);
            if (previous === undefined) summary.added++;
            else summary.replaced++;
            summary.words += row.words;
            summary.passages += passages.length;
            if (pendingWorks >= perTransaction || pendingPassages >= 4000) await flush();
          }
          report(file, bytes);
        }
      } finally {
        // The works read before a bad line are good: keep them, so the next import starts after them.
        await flush();
      }
      for (const [bookId, book] of books) {
        const contentHash = sha256(JSON.stringify([book.name, book.licence, book.verses]));
        const previous = bookHashes.get(bookId);
        if (previous === contentHash) {
          summary.books.unchanged++;
          continue;
        }
        await store.commit(await store.replaceBookStatements({ id: bookId, translation: book.translation, book: book.osis, name: book.name, origin, licence: book.licence, contentHash }, book.verses));
        bookHashes.set(bookId, contentHash);
        if (previous === undefined) summary.books.added++;
        else summary.books.replaced++;
      }
      bytesBefore += Math.max(lastBytes, statSync(file).size);
      report(file, 0);
    }
    invalidate();
    if (opts.vectors ?? embedderOption !== false) summary.vectors = await embedPending(opts);
    summary.seconds = (performance.now() - started) / 1000;
    return summary;
  }

  function addVerse(books: Map<string, { translation: string; osis: string; name: string; licence: string | null; verses: VerseInput[] }>, v: VerseRecord, where: string): void {
    const osis = bookOsis(v.book);
    if (!osis) throw new SourceFormatError(`${where}: book "${v.book}" is not a book of the canon (write it as "Genesis", "I Samuel", "Wisdom"...)`);
    const bookId = `${v.translation}/${osis}`;
    let book = books.get(bookId);
    if (!book) books.set(bookId, (book = { translation: v.translation, osis, name: v.book, licence: v.licence, verses: [] }));
    book.verses.push({ chapter: v.chapter, verse: v.verse, text: v.text });
  }

  const toResults = async (ids: number[], via: "text" | "meaning", scores?: Map<number, number>): Promise<SearchResult[]> =>
    (await store.passagesByIds(ids)).map((passage, i) => ({ passage, score: scores?.get(passage.id) ?? ids.length - i, via }));

  return {
    store,
    lookup,
    get hasVectors() {
      return embedderOption !== false;
    },
    import: importPaths,
    embedPending,
    async list() {
      return { works: await store.listing(), translations: await store.translationListing() };
    },
    async remove(selectors) {
      let works = 0;
      let verses = 0;
      const unknown: string[] = [];
      const translations = new Set(await store.translations());
      for (const selector of selectors) {
        const translation = selector.replace(/^bible\//, "");
        if (translations.has(translation) && (selector.startsWith("bible/") || (await store.matchingWorks(selector)).length === 0)) {
          verses += await store.removeTranslation(translation);
          continue;
        }
        const ids = await store.matchingWorks(selector.replace(/\/+$/, ""));
        if (ids.length === 0) {
          unknown.push(selector);
          continue;
        }
        const removed = await store.removeWorks(ids);
        works += ids.length;
        const idx = await openIndex();
        if (idx && removed.length > 0) {
          idx.remove(removed.filter((id) => idx.contains(id)));
          indexDirty = true;
        }
      }
      saveIndex();
      invalidate();
      return { works, verses, unknown };
    },
    async searchText(query, opts = {}) {
      const terms = await store.searchTerms("src_passages_vocab", query, 12);
      return toResults(await store.rankPassages(terms, opts.k ?? 8, opts.authorRefs), "text");
    },
    async searchMeaning(query, opts = {}) {
      const idx = await openIndex();
      const e = await getEmbedder();
      if (!idx || !e) throw new Error("This library has no vector index (it was opened without an embedder); search it by text instead.");
      const k = opts.k ?? 8;
      const [vector] = await e.embed([query], { query: true });
      const filtered = opts.authorRefs && opts.authorRefs.length > 0;
      for (let fetch = filtered ? k * 8 : k; ; fetch *= 4) {
        const matches = idx.search(vector!, fetch);
        const scores = new Map(matches.map((m) => [m.key, m.similarity]));
        let results = await toResults(
          matches.map((m) => m.key),
          "meaning",
          scores,
        );
        if (filtered) results = results.filter((r) => opts.authorRefs!.includes(r.passage.authorRef));
        if (results.length >= k || matches.length < fetch || fetch >= idx.size) return results.slice(0, k);
      }
    },
    async stats() {
      const counts = await store.counts();
      const idx = embedderOption === false ? undefined : await openIndex();
      return { ...counts, vectors: idx?.size ?? 0, translations: await store.translations() };
    },
    async close() {
      saveIndex();
      if (ownsEmbedder && embedder) await embedder.dispose();
    },
  };
}
