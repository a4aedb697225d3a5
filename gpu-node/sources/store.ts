// The sources library's rows in the node's libSQL database (tables in gpu-node/db/schema/sources.ts,
// full-text indexes in migrations/gpu-node/0004_sources_fts.sql). Bulk writes go through the libSQL
// client's batch, one transaction each, with explicit passage ids so a passage's row, its
// full-text row and (later) its vector share one key. Ids only ever grow, so a vector left behind
// by a replaced work can never be mistaken for a new passage's.
import type { Client, InStatement, Row } from "@libsql/client";
import type { NodeDb } from "../db/client.ts";
import { indexText, matchTokens, STOPWORDS } from "../../shared/validation/quotation/normalize.ts";
import type { SourcePassage, SourceVerse } from "../../shared/validation/quotation/lookup.ts";
import type { CutPassage } from "./passages.ts";
import { formatCitation } from "./titles.ts";

export interface WorkRow {
  id: string;
  author: string;
  authorRef: string;
  work: string;
  title: string;
  part: string | null;
  partNumber: string | null;
  year: number | null;
  series: string | null;
  sourceUrl: string | null;
  licence: string | null;
  origin: string;
  contentHash: string;
  words: number;
}

export interface VerseInput {
  chapter: number;
  verse: number;
  text: string;
}

/** Rows per INSERT statement: well under SQLite's limit on bound parameters. */
const ROWS_PER_INSERT = 100;

const PASSAGE_COLUMNS = `p.id, p.work_id, p.author_ref, p.ordinal, p.paragraph, p.section, p.start, p."end", p.text,
  w.author, w.title, w.part, w.part_number, w.year, w.source_url`;

function toPassage(r: Row): SourcePassage & { workId: string; ordinal: number } {
  const base = {
    id: Number(r.id),
    workId: String(r.work_id),
    ordinal: Number(r.ordinal),
    authorRef: String(r.author_ref),
    author: String(r.author),
    title: String(r.title),
    part: r.part === null ? null : String(r.part),
    paragraph: Number(r.paragraph),
    section: r.section === null ? null : String(r.section),
    start: Number(r.start),
    end: Number(r.end),
    year: r.year === null ? null : Number(r.year),
    sourceUrl: r.source_url === null ? null : String(r.source_url),
    text: String(r.text),
  };
  const place = { author: base.author, authorRef: base.authorRef, title: base.title, part: base.part, partNumber: r.part_number === null ? null : String(r.part_number), section: base.section, paragraph: base.paragraph };
  return { ...base, citation: formatCitation(place), citationMarkdown: formatCitation(place, { markdown: true }) };
}

/** A full-text query for the words of a text: its rarest words, any of which may match. */
export function ftsQuery(terms: readonly string[]): string {
  return terms.map((t) => `"${t.replace(/"/g, "")}"`).join(" OR ");
}

/** The one token an author ref is indexed as in src_passages_fts.author ("basil-the-great" -> "basilxthexgreat"). */
export const authorToken = (ref: string): string => ref.toLowerCase().replace(/[^a-z0-9]/g, "x");

export class SourceStore {
  readonly client: Client;
  private nextId: number | undefined;

  constructor(readonly db: NodeDb) {
    this.client = db.$client;
  }

  async state(key: string): Promise<string | undefined> {
    const r = await this.client.execute({ sql: "SELECT value FROM src_state WHERE key = ?", args: [key] });
    return r.rows[0] ? String(r.rows[0].value) : undefined;
  }

  async setState(key: string, value: string): Promise<void> {
    await this.client.execute({ sql: "INSERT INTO src_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", args: [key, value] });
  }

  /** Content hashes of the works already in the library, by id. */
  async workHashes(): Promise<Map<string, string>> {
    const r = await this.client.execute("SELECT id, content_hash FROM src_works");
    return new Map(r.rows.map((row) => [String(row.id), String(row.content_hash)]));
  }

  async bookHashes(): Promise<Map<string, string>> {
    const r = await this.client.execute("SELECT id, content_hash FROM src_bible_books");
    return new Map(r.rows.map((row) => [String(row.id), String(row.content_hash)]));
  }

  private async allocateIds(count: number): Promise<number> {
    if (this.nextId === undefined) {
      const r = await this.client.execute("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'src_passages'), 0), coalesce((SELECT max(id) FROM src_passages), 0)) AS top");
      this.nextId = Number(r.rows[0]!.top) + 1;
    }
    const first = this.nextId;
    this.nextId += count;
    return first;
  }

  /** Statements that delete a work's passages (and their full-text rows). */
  private deleteWorkStatements(workId: string): InStatement[] {
    return [
      { sql: "DELETE FROM src_passages_fts WHERE rowid IN (SELECT id FROM src_passages WHERE work_id = ?)", args: [workId] },
      { sql: "DELETE FROM src_passages WHERE work_id = ?", args: [workId] },
    ];
  }

  /** Statements that replace a work and its passages; run them with `commit`. */
  async replaceWorkStatements(work: WorkRow, passages: readonly CutPassage[]): Promise<InStatement[]> {
    const first = await this.allocateIds(passages.length);
    const statements: InStatement[] = [
      ...this.deleteWorkStatements(work.id),
      {
        sql: `INSERT INTO src_works (id, author, author_ref, work, title, part, part_number, year, series, source_url, licence, origin, content_hash, words, passages, imported_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (id) DO UPDATE SET author = excluded.author, author_ref = excluded.author_ref, work = excluded.work, title = excluded.title,
                part = excluded.part, part_number = excluded.part_number, year = excluded.year, series = excluded.series, source_url = excluded.source_url,
                licence = excluded.licence, origin = excluded.origin, content_hash = excluded.content_hash, words = excluded.words,
                passages = excluded.passages, imported_at = excluded.imported_at`,
        args: [work.id, work.author, work.authorRef, work.work, work.title, work.part, work.partNumber, work.year, work.series, work.sourceUrl, work.licence, work.origin, work.contentHash, work.words, passages.length, Date.now()],
      },
    ];
    for (let i = 0; i < passages.length; i += ROWS_PER_INSERT) {
      const rows = passages.slice(i, i + ROWS_PER_INSERT);
      statements.push({
        sql: `INSERT INTO src_passages (id, work_id, author_ref, ordinal, paragraph, section, start, "end", words, text) VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        args: rows.flatMap((p, j) => [first + i + j, work.id, work.authorRef, p.ordinal, p.paragraph, p.section, p.start, p.end, p.words, p.text]),
      });
      statements.push({
        sql: `INSERT INTO src_passages_fts (rowid, words, author) VALUES ${rows.map(() => "(?, ?, ?)").join(", ")}`,
        args: rows.flatMap((p, j) => [first + i + j, indexText(p.text), authorToken(work.authorRef)]),
      });
    }
    return statements;
  }

  /** Statements that replace one book of a translation and its verses. */
  async replaceBookStatements(book: { id: string; translation: string; book: string; name: string; origin: string; licence: string | null; contentHash: string }, verses: readonly VerseInput[]): Promise<InStatement[]> {
    const statements: InStatement[] = [
      { sql: "DELETE FROM src_verses_fts WHERE rowid IN (SELECT id FROM src_verses WHERE book_id = ?)", args: [book.id] },
      { sql: "DELETE FROM src_verses WHERE book_id = ?", args: [book.id] },
      {
        sql: `INSERT INTO src_bible_books (id, translation, book, name, origin, licence, content_hash, verses, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
              ON CONFLICT (id) DO UPDATE SET name = excluded.name, origin = excluded.origin, licence = excluded.licence, content_hash = excluded.content_hash,
                verses = excluded.verses, imported_at = excluded.imported_at`,
        args: [book.id, book.translation, book.book, book.name, book.origin, book.licence, book.contentHash, verses.length, Date.now()],
      },
    ];
    const r = await this.client.execute("SELECT coalesce(max(id), 0) AS top FROM src_verses");
    const first = Number(r.rows[0]!.top) + 1;
    for (let i = 0; i < verses.length; i += ROWS_PER_INSERT) {
      const rows = verses.slice(i, i + ROWS_PER_INSERT);
      statements.push({
        sql: `INSERT INTO src_verses (id, book_id, translation, book, chapter, verse, text) VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
        args: rows.flatMap((v, j) => [first + i + j, book.id, book.translation, book.book, v.chapter, v.verse, v.text]),
      });
      statements.push({ sql: `INSERT INTO src_verses_fts (rowid, words) VALUES ${rows.map(() => "(?, ?)").join(", ")}`, args: rows.flatMap((v, j) => [first + i + j, indexText(v.text)]) });
    }
    return statements;
  }

  /** Runs statements as one transaction: all of a batch is in the library, or none of it. */
  async commit(statements: InStatement[]): Promise<void> {
    if (statements.length > 0) await this.client.batch(statements, "write");
  }

  /** Works whose id is `selector` or starts with `selector/`. */
  async matchingWorks(selector: string): Promise<string[]> {
    const r = await this.client.execute({ sql: "SELECT id FROM src_works WHERE id = ? OR substr(id, 1, length(?) + 1) = ? || '/' ORDER BY id", args: [selector, selector, selector] });
    return r.rows.map((row) => String(row.id));
  }

  async removeWorks(ids: readonly string[]): Promise<number[]> {
    const removed: number[] = [];
    for (let i = 0; i < ids.length; i += 200) {
      const chunk = ids.slice(i, i + 200);
      const marks = chunk.map(() => "?").join(", ");
      const r = await this.client.execute({ sql: `SELECT id FROM src_passages WHERE work_id IN (${marks})`, args: [...chunk] });
      removed.push(...r.rows.map((row) => Number(row.id)));
      await this.commit([...chunk.flatMap((id) => this.deleteWorkStatements(id)), { sql: `DELETE FROM src_works WHERE id IN (${marks})`, args: [...chunk] }]);
    }
    return removed;
  }

  async translations(): Promise<string[]> {
    const r = await this.client.execute("SELECT DISTINCT translation FROM src_bible_books ORDER BY translation");
    return r.rows.map((row) => String(row.translation));
  }

  async removeTranslation(translation: string): Promise<number> {
    const r = await this.client.execute({ sql: "SELECT coalesce(sum(verses), 0) AS n FROM src_bible_books WHERE translation = ?", args: [translation] });
    await this.commit([
      { sql: "DELETE FROM src_verses_fts WHERE rowid IN (SELECT id FROM src_verses WHERE translation = ?)", args: [translation] },
      { sql: "DELETE FROM src_verses WHERE translation = ?", args: [translation] },
      { sql: "DELETE FROM src_bible_books WHERE translation = ?", args: [translation] },
    ]);
    return Number(r.rows[0]!.n);
  }

  async passageIds(): Promise<number[]> {
    const r = await this.client.execute("SELECT id FROM src_passages ORDER BY id");
    return r.rows.map((row) => Number(row.id));
  }

  async maxPassageSeq(): Promise<number> {
    const r = await this.client.execute("SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'src_passages'), 0), coalesce((SELECT max(id) FROM src_passages), 0)) AS top");
    return Number(r.rows[0]!.top);
  }

  /** Text to embed for each passage: the work's title, then the passage. */
  async embeddingTexts(ids: readonly number[]): Promise<{ id: number; text: string }[]> {
    if (ids.length === 0) return [];
    const r = await this.client.execute({ sql: `SELECT p.id, w.title, p.text FROM src_passages p JOIN src_works w ON w.id = p.work_id WHERE p.id IN (${ids.map(() => "?").join(", ")})`, args: [...ids] });
    return r.rows.map((row) => ({ id: Number(row.id), text: `${String(row.title)}. ${String(row.text)}` }));
  }

  async passagesByIds(ids: readonly number[]): Promise<(SourcePassage & { workId: string; ordinal: number })[]> {
    if (ids.length === 0) return [];
    const out = new Map<number, SourcePassage & { workId: string; ordinal: number }>();
    for (let i = 0; i < ids.length; i += 500) {
      const chunk = ids.slice(i, i + 500);
      const r = await this.client.execute({ sql: `SELECT ${PASSAGE_COLUMNS} FROM src_passages p JOIN src_works w ON w.id = p.work_id WHERE p.id IN (${chunk.map(() => "?").join(", ")})`, args: [...chunk] });
      for (const row of r.rows) out.set(Number(row.id), toPassage(row));
    }
    // In the order asked (a ranking), skipping ids no longer in the library.
    return ids.map((id) => out.get(id)).filter((p): p is SourcePassage & { workId: string; ordinal: number } => p !== undefined);
  }

  async nextPassage(id: number): Promise<SourcePassage | null> {
    const r = await this.client.execute({
      sql: `SELECT ${PASSAGE_COLUMNS} FROM src_passages p JOIN src_works w ON w.id = p.work_id
            WHERE p.work_id = (SELECT work_id FROM src_passages WHERE id = ?) AND p.ordinal = (SELECT ordinal + 1 FROM src_passages WHERE id = ?)`,
      args: [id, id],
    });
    return r.rows[0] ? toPassage(r.rows[0]) : null;
  }

  /**
   * The words of a text to search for: its rarest in the index (by how many passages hold them),
   * at most `count`. Common words find everything and rank nothing.
   */
  async searchTerms(table: "src_passages_vocab" | "src_verses_vocab", text: string, count: number): Promise<string[]> {
    return (await this.chooseTerms(table, text, count)).terms;
  }

  /** The search terms, and how many of them are rare (a text of common words only has none). */
  async chooseTerms(table: "src_passages_vocab" | "src_verses_vocab", text: string, count: number): Promise<{ terms: string[]; rare: number }> {
    const words = [...new Set(matchTokens(text).filter((w) => w.length > 2 && !STOPWORDS.has(w)))].slice(0, 200);
    if (words.length === 0) return { terms: [], rare: 0 };
    const column = table === "src_passages_vocab" ? "AND col = 'words'" : "";
    const vocab = table === "src_passages_vocab" ? "src_passages_vocab_col" : table;
    const r = await this.client.execute({ sql: `SELECT term, doc FROM ${vocab} WHERE term IN (${words.map(() => "?").join(", ")}) ${column}`, args: words });
    const found = r.rows.map((row) => ({ term: String(row.term), doc: Number(row.doc) })).sort((a, b) => a.doc - b.doc || (a.term < b.term ? -1 : 1));
    // A word in more than a few percent of the rows ranks nothing and costs the most to read: leave
    // such words out, unless the text has hardly any other.
    const rows = await this.rowCount(table);
    const common = Math.max(500, rows * 0.03);
    const rare = found.filter((t) => t.doc <= common);
    const terms = (rare.length >= 3 ? rare : found.slice(0, 3)).slice(0, count).map((t) => t.term);
    return { terms, rare: Math.min(rare.length, count) };
  }

  private rows = new Map<string, { n: number; at: number }>();
  private async rowCount(table: string): Promise<number> {
    const cached = this.rows.get(table);
    if (cached && Date.now() - cached.at < 60_000) return cached.n;
    const source = table === "src_passages_vocab" ? "src_passages" : "src_verses";
    const n = Number((await this.client.execute(`SELECT count(*) AS n FROM ${source}`)).rows[0]!.n);
    this.rows.set(table, { n, at: Date.now() });
    return n;
  }

  /** Passage ids matching any of the terms, best (BM25) first, optionally of some authors only. */
  async rankPassages(terms: readonly string[], limit: number, authorRefs?: readonly string[]): Promise<number[]> {
    if (terms.length === 0) return [];
    const words = `words : (${ftsQuery(terms)})`;
    const match = authorRefs && authorRefs.length > 0 ? `(${words}) AND author : (${authorRefs.map(authorToken).join(" OR ")})` : words;
    // BM25 over the words only: the author column is a filter, not evidence.
    const r = await this.client.execute({
      sql: "SELECT rowid FROM src_passages_fts WHERE src_passages_fts MATCH ? ORDER BY bm25(src_passages_fts, 1.0, 0.0) LIMIT ?",
      args: [match, limit],
    });
    return r.rows.map((row) => Number(row.rowid));
  }

  /**
   * Passage ids holding any of these runs of words in order (FTS5 phrases), optionally of some
   * authors only. A quotation made of common words ("to be the Son of God, not merely in name but
   * in nature") has no rare word to rank by, but its runs of words are rare.
   */
  async phrasePassages(runs: readonly (readonly string[])[], limit: number, authorRefs?: readonly string[]): Promise<number[]> {
    const phrases = runs.filter((r) => r.length > 0).map((r) => `"${r.join(" ")}"`);
    if (phrases.length === 0) return [];
    const words = `words : (${phrases.join(" OR ")})`;
    const match = authorRefs && authorRefs.length > 0 ? `(${words}) AND author : (${authorRefs.map(authorToken).join(" OR ")})` : words;
    const r = await this.client.execute({ sql: "SELECT rowid FROM src_passages_fts WHERE src_passages_fts MATCH ? ORDER BY bm25(src_passages_fts, 1.0, 0.0) LIMIT ?", args: [match, limit] });
    return r.rows.map((row) => Number(row.rowid));
  }

  async rankVerses(terms: readonly string[], limit: number): Promise<SourceVerse[]> {
    if (terms.length === 0) return [];
    const r = await this.client.execute({
      sql: `SELECT v.translation, v.book, v.chapter, v.verse, v.text FROM (SELECT rowid AS id, rank FROM src_verses_fts WHERE src_verses_fts MATCH ? ORDER BY rank LIMIT ?) f
            JOIN src_verses v ON v.id = f.id ORDER BY f.rank`,
      args: [ftsQuery(terms), limit],
    });
    return r.rows.map(toVerse);
  }

  async verses(books: readonly string[], from: { chapter: number; verse: number }, to: { chapter: number; verse: number }): Promise<SourceVerse[]> {
    const r = await this.client.execute({
      sql: `SELECT translation, book, chapter, verse, text FROM src_verses
            WHERE book IN (${books.map(() => "?").join(", ")}) AND (chapter * 1000 + verse) BETWEEN ? AND ?
            ORDER BY translation, book, chapter, verse`,
      args: [...books, from.chapter * 1000 + from.verse, to.chapter * 1000 + to.verse],
    });
    return r.rows.map(toVerse);
  }

  async authorRefs(): Promise<Set<string>> {
    const r = await this.client.execute("SELECT DISTINCT author_ref FROM src_works");
    return new Set(r.rows.map((row) => String(row.author_ref)));
  }

  async titles(): Promise<{ title: string; authorRef: string }[]> {
    const r = await this.client.execute("SELECT DISTINCT author_ref, title FROM src_works ORDER BY author_ref, title");
    return r.rows.map((row) => ({ title: String(row.title), authorRef: String(row.author_ref) }));
  }

  /** Works grouped by author and title, for `opus sources list`. */
  async listing(): Promise<{ author: string; authorRef: string; title: string; parts: number; words: number; passages: number; year: number | null; id: string }[]> {
    const r = await this.client.execute(
      `SELECT author, author_ref, title, count(*) AS parts, sum(words) AS words, sum(passages) AS passages, min(year) AS year, min(id) AS first, max(id) AS last
       FROM src_works GROUP BY author, author_ref, title ORDER BY author, title`,
    );
    // The id prefix every part of the title shares (sorted ids: that of the first and the last).
    const prefix = (a: string, b: string) => {
      const x = a.split("/");
      const y = b.split("/");
      let n = 0;
      while (n < x.length && x[n] === y[n]) n++;
      return x.slice(0, Math.max(1, n)).join("/");
    };
    return r.rows.map((row) => ({
      author: String(row.author),
      authorRef: String(row.author_ref),
      title: String(row.title),
      parts: Number(row.parts),
      words: Number(row.words),
      passages: Number(row.passages),
      year: row.year === null ? null : Number(row.year),
      id: prefix(String(row.first), String(row.last)),
    }));
  }

  async translationListing(): Promise<{ translation: string; books: number; verses: number }[]> {
    const r = await this.client.execute("SELECT translation, count(*) AS books, sum(verses) AS verses FROM src_bible_books GROUP BY translation ORDER BY translation");
    return r.rows.map((row) => ({ translation: String(row.translation), books: Number(row.books), verses: Number(row.verses) }));
  }

  async counts(): Promise<{ works: number; passages: number; words: number; verses: number }> {
    const r = await this.client.execute(
      "SELECT (SELECT count(*) FROM src_works) AS works, (SELECT count(*) FROM src_passages) AS passages, (SELECT coalesce(sum(words), 0) FROM src_works) AS words, (SELECT count(*) FROM src_verses) AS verses",
    );
    const row = r.rows[0]!;
    return { works: Number(row.works), passages: Number(row.passages), words: Number(row.words), verses: Number(row.verses) };
  }

  /** Re-fills both full-text indexes from the stored text (after the normaliser changed). */
  async reindexText(onProgress?: (done: number, total: number) => void): Promise<void> {
    await this.commit([{ sql: "DELETE FROM src_passages_fts", args: [] }, { sql: "DELETE FROM src_verses_fts", args: [] }]);
    for (const [table, fts] of [["src_passages", "src_passages_fts"], ["src_verses", "src_verses_fts"]] as const) {
      const total = Number((await this.client.execute(`SELECT count(*) AS n FROM ${table}`)).rows[0]!.n);
      const passages = table === "src_passages";
      let after = 0;
      let done = 0;
      for (;;) {
        const r = await this.client.execute({ sql: `SELECT id, text${passages ? ", author_ref" : ""} FROM ${table} WHERE id > ? ORDER BY id LIMIT 2000`, args: [after] });
        if (r.rows.length === 0) break;
        const statements: InStatement[] = [];
        for (let i = 0; i < r.rows.length; i += ROWS_PER_INSERT) {
          const rows = r.rows.slice(i, i + ROWS_PER_INSERT);
          statements.push(
            passages
              ? { sql: `INSERT INTO ${fts} (rowid, words, author) VALUES ${rows.map(() => "(?, ?, ?)").join(", ")}`, args: rows.flatMap((row) => [Number(row.id), indexText(String(row.text)), authorToken(String(row.author_ref))]) }
              : { sql: `INSERT INTO ${fts} (rowid, words) VALUES ${rows.map(() => "(?, ?)").join(", ")}`, args: rows.flatMap((row) => [Number(row.id), indexText(String(row.text))]) },
          );
        }
        await this.commit(statements);
        after = Number(r.rows.at(-1)!.id);
        done += r.rows.length;
        onProgress?.(done, total);
      }
    }
  }
}

function toVerse(r: Row): SourceVerse {
  return { translation: String(r.translation), book: String(r.book), chapter: Number(r.chapter), verse: Number(r.verse), text: String(r.text) };
}
