// The document model: an entry parsed once (blocks, sections, sentences, quotations, citations,
// all with offsets into the original text) and shared by every validator. Citation extraction is
// lazy, so a pipeline without Scripture or patristic rules does not pay for it.
import type { Heading, OpusDocument, Paragraph, PatristicCitation, Quotation, ScriptureReference, Section, Sentence } from "../types.ts";
import { parseBlocks, splitLines } from "./blocks.ts";
import { splitSentences } from "./sentences.ts";
import { extractScripture } from "../scripture/extract.ts";
import { extractPatristic } from "../patristic/extract.ts";
import { INDEX_CATALOG, type WorkCatalog } from "../patristic/catalog.ts";
import { countWords } from "../../text/words.ts";

// The validators count words with the one shared counter, so `structure/word-count` reports what an
// entry's `words` says.
export { countWords };

const QUOTE_CHARS = /["“”]/g;

function findQuotations(paragraphs: readonly Paragraph[]): Quotation[] {
  const out: Quotation[] = [];
  for (const p of paragraphs) {
    if (p.kind === "blockquote") {
      out.push({ start: p.contentStart, end: p.end, text: p.content, kind: "block" });
      continue;
    }
    const text = p.content;
    let open = -1;
    let openChar = "";
    QUOTE_CHARS.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = QUOTE_CHARS.exec(text)) !== null) {
      const ch = m[0];
      const i = m.index;
      if (open === -1) {
        if (ch === "“" || ch === '"') {
          open = i;
          openChar = ch;
        }
      } else if ((openChar === "“" && ch === "”") || (openChar === '"' && ch === '"')) {
        out.push({ start: p.contentStart + open, end: p.contentStart + i + 1, text: text.slice(open + 1, i), kind: "inline" });
        open = -1;
      }
    }
  }
  return out;
}

/** Index of the last range whose start is <= offset (ranges sorted by start), or -1. */
function rangeIndex(ranges: readonly { start: number; end: number }[], offset: number): number {
  let lo = 0;
  let hi = ranges.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]!.start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

function lineIndex(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export interface ParseOptions {
  /** Works citations resolve against (default: the citation index alone); see patristic/catalog.ts. */
  catalog?: WorkCatalog;
}

export function parseDocument(text: string, options: ParseOptions = {}): OpusDocument {
  const catalog = options.catalog ?? INDEX_CATALOG;
  const { lines, lineStarts } = splitLines(text);
  const { blocks, headings, paragraphs, title } = parseBlocks(text, { lines, lineStarts });

  const sections: Section[] = [];
  let current: Section | null = null;
  for (const block of blocks) {
    if (block.kind === "heading" && (block as Heading).depth === 2) {
      if (current) current.end = block.start;
      current = { start: block.start, end: text.length, heading: block as Heading, paragraphs: [], wordCount: 0 };
      sections.push(current);
    }
  }
  let wordCount = 0;
  const sentences: Sentence[] = [];
  let sectionIndex = -1;
  for (let i = 0; i < paragraphs.length; i++) {
    const p = paragraphs[i]!;
    while (sectionIndex + 1 < sections.length && sections[sectionIndex + 1]!.start <= p.start) sectionIndex++;
    p.section = sectionIndex;
    const words = countWords(p.content);
    wordCount += words;
    const section = sections[sectionIndex];
    if (section) {
      section.paragraphs.push(i);
      section.wordCount += words;
    }
    for (const r of splitSentences(p.content)) {
      sentences.push({ start: p.contentStart + r.start, end: p.contentStart + r.end, text: p.content.slice(r.start, r.end), paragraph: i });
    }
  }
  const quotations = findQuotations(paragraphs);
  const memos = new Map<string, unknown>();

  const doc: OpusDocument = {
    text,
    lines,
    lineStarts,
    title,
    headings,
    blocks,
    paragraphs,
    sections,
    sentences,
    quotations,
    catalog,
    wordCount,
    get scripture(): readonly ScriptureReference[] {
      return doc.memo("document:scripture", () => extractScripture(text, blocks));
    },
    get patristic(): readonly PatristicCitation[] {
      return doc.memo("document:patristic", () => extractPatristic(doc));
    },
    position(offset: number) {
      const line = Math.max(0, lineIndex(lineStarts, offset));
      return { line: line + 1, column: offset - lineStarts[line]! + 1 };
    },
    inQuotation(offset: number) {
      const i = rangeIndex(quotations, offset);
      return i !== -1 && offset < quotations[i]!.end;
    },
    sentenceAt(offset: number) {
      const i = rangeIndex(sentences, offset);
      return i !== -1 && offset <= sentences[i]!.end ? i : -1;
    },
    memo<T>(key: string, compute: () => T): T {
      if (memos.has(key)) return memos.get(key) as T;
      const value = compute();
      memos.set(key, value);
      return value;
    },
  };
  return doc;
}
