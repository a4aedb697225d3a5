// The sources library: works of the Fathers and councils cut into citable passages, and the verses
// of Bible translations. Full-text indexes over both (FTS5, contentless: they hold the normalised
// words of shared/validation/quotation/normalize.ts, not the text) are virtual tables created by a
// hand-written migration (0004_sources_fts.sql), since drizzle has no FTS5 type. The passages'
// vectors live in a usearch index on disk, keyed by src_passages.id.
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

export const srcWorks = sqliteTable(
  "src_works",
  {
    /** "basil-of-caesarea/letters/letter-1": the author's and the work's slugs. */
    id: text("id").primaryKey(),
    /** The author as the source names him ("Basil of Caesarea"). */
    author: text("author").notNull(),
    /** Citation-index author id, "council:<id>", or "library:<slug>" for an author the index lacks. */
    authorRef: text("author_ref").notNull(),
    /** The work as the source gives it ("Homilies / On Hebrews / Homily 9"). */
    work: text("work").notNull(),
    /** Its citable title ("Homilies on Hebrews") and part ("Homily 9"). */
    title: text("title").notNull(),
    part: text("part"),
    /** The number of the part within the work, for citations ("9"). */
    partNumber: text("part_number"),
    year: integer("year"),
    series: text("series"),
    sourceUrl: text("source_url"),
    licence: text("licence"),
    /** The file it was imported from. */
    origin: text("origin").notNull(),
    /** sha256 of the record as imported: an unchanged work is skipped, a changed one replaced. */
    contentHash: text("content_hash").notNull(),
    words: integer("words").notNull(),
    passages: integer("passages").notNull(),
    importedAt: integer("imported_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("src_works_author_ref").on(t.authorRef)],
);

export const srcPassages = sqliteTable(
  "src_passages",
  {
    /** Also the passage's key in the vector index. */
    id: integer("id").primaryKey({ autoIncrement: true }),
    workId: text("work_id")
      .notNull()
      .references(() => srcWorks.id, { onDelete: "cascade" }),
    /** Copied from the work, so full-text candidates can be filtered by author without a join. */
    authorRef: text("author_ref").notNull(),
    ordinal: integer("ordinal").notNull(),
    /** 1-based paragraph of the work's text, and the editor's section number in force there. */
    paragraph: integer("paragraph").notNull(),
    section: text("section"),
    /** UTF-16 offsets [start, end) into the work's text. */
    start: integer("start").notNull(),
    end: integer("end").notNull(),
    words: integer("words").notNull(),
    text: text("text").notNull(),
  },
  (t) => [index("src_passages_work").on(t.workId, t.ordinal), index("src_passages_author").on(t.authorRef)],
);

export const srcBibleBooks = sqliteTable(
  "src_bible_books",
  {
    /** "web/Matt". */
    id: text("id").primaryKey(),
    translation: text("translation").notNull(),
    /** OSIS id, and the book's name as the source gives it ("Revelation of John"). */
    book: text("book").notNull(),
    name: text("name").notNull(),
    origin: text("origin").notNull(),
    licence: text("licence"),
    contentHash: text("content_hash").notNull(),
    verses: integer("verses").notNull(),
    importedAt: integer("imported_at", { mode: "timestamp_ms" }).notNull(),
  },
  (t) => [index("src_bible_books_translation").on(t.translation)],
);

export const srcVerses = sqliteTable(
  "src_verses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    bookId: text("book_id")
      .notNull()
      .references(() => srcBibleBooks.id, { onDelete: "cascade" }),
    translation: text("translation").notNull(),
    book: text("book").notNull(),
    chapter: integer("chapter").notNull(),
    verse: integer("verse").notNull(),
    text: text("text").notNull(),
  },
  (t) => [uniqueIndex("src_verses_place").on(t.translation, t.book, t.chapter, t.verse), index("src_verses_book").on(t.bookId)],
);

/** Library-wide settings: the normaliser version the full-text indexes were built with. */
export const srcState = sqliteTable("src_state", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});
