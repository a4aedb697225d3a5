// What the quotation rules need from a library of primary sources, and nothing about how it is
// stored: the GPU node and `opus lint --sources` answer it from a libSQL database (full-text
// search), a test could answer it from memory. The rules do the comparing themselves (nearly.ts),
// so every runtime judges a quotation the same way.

/** One citable passage of a work in the library. */
export interface SourcePassage {
  id: number;
  /** Who the library credits: a citation-index author id ("basil-the-great"), "council:<id>", or "library:<slug>". */
  authorRef: string;
  /** The author as the library names him ("Basil of Caesarea"). */
  author: string;
  /** The work's citable title ("Homilies on Hebrews"). */
  title: string;
  /** The part of the work ("Homily 9"), when it has parts. */
  part: string | null;
  /** 1-based paragraph of the part, and the editor's section number ("1") in force there, if any. */
  paragraph: number;
  section: string | null;
  /** UTF-16 offsets of the passage in the work's text. */
  start: number;
  end: number;
  year: number | null;
  sourceUrl: string | null;
  /** The citation: "St. John Chrysostom, Homilies on Hebrews 9.1". */
  citation: string;
  /** The same in the house style's Markdown, title in italics: "St. John Chrysostom, *Homilies on Hebrews* 9.1". */
  citationMarkdown?: string;
  text: string;
}

/** A verse of a loaded translation. */
export interface SourceVerse {
  translation: string;
  /** OSIS book id ("Matt", "Ps"). */
  book: string;
  chapter: number;
  verse: number;
  text: string;
}

/** A work title the library holds, for recognising citations in prose. */
export interface SourceTitle {
  title: string;
  authorRef: string;
}

export interface VerseRange {
  book: string;
  chapter: number;
  verse?: number;
  endChapter?: number;
  endVerse?: number;
}

export interface SourceLookup {
  /** Passages that may hold the quotation (at most `limit`), optionally of these authors only. */
  quotationCandidates(text: string, options?: { authorRefs?: readonly string[]; limit?: number }): Promise<SourcePassage[]>;
  /** The passage after `passage` in the same work, for quotations that run across a paragraph break. */
  nextPassage?(passage: SourcePassage): Promise<SourcePassage | null>;
  /** Author refs the library holds works of. */
  authorRefs(): Promise<ReadonlySet<string>>;
  /** The verses of a range, in every loaded translation (empty when none holds them). */
  verses(range: VerseRange): Promise<SourceVerse[]>;
  /** Verses that may hold the words (at most `limit`), for naming the verse a quotation comes from. */
  verseCandidates(text: string, options?: { limit?: number }): Promise<SourceVerse[]>;
  /** Titles of the library's works. */
  titles(): Promise<readonly SourceTitle[]>;
}
