// Splits a house-style entry into passages for the index: paragraphs, grouped while short and
// split at sentence boundaries while long, never across a `## ` section. Offsets are UTF-16
// offsets into the markdown, so a passage can always be cut back out of its document.
import { countWords } from "../../shared/text/words.ts";

export interface Passage {
  ordinal: number;
  /** Title of the enclosing `## ` section as written ("I. The Witness of Scripture"); "" in the lead. */
  section: string;
  start: number;
  end: number;
  text: string;
  words: number;
}

export interface ChunkOptions {
  /** Paragraphs shorter than this join the next one in the same section. */
  minWords?: number;
  /** Paragraphs longer than this are cut at sentence boundaries. */
  maxWords?: number;
}

export const DEFAULT_CHUNKING: Required<ChunkOptions> = { minWords: 60, maxWords: 220 };

// Words are counted as everywhere else (an entry's words, the validators, the edge): one counter.
export { countWords };

interface Block {
  section: string;
  start: number;
  end: number;
}

/** The document title from its first `# ` line, if any. */
export function markdownTitle(markdown: string): string | undefined {
  const first = markdown.split("\n", 1)[0] ?? "";
  const m = first.match(/^#\s+(.+?)\s*$/);
  return m?.[1];
}

function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  let section = "";
  let offset = 0;
  let current: Block | undefined;
  for (const line of markdown.split("\n")) {
    const lineEnd = offset + line.length;
    const heading = line.match(/^(#{1,6})\s+(.*?)\s*$/);
    if (heading || line.trim() === "") {
      if (current) out.push(current);
      current = undefined;
      if (heading && heading[1]!.length === 2) section = heading[2]!;
    } else if (current) {
      current.end = lineEnd;
    } else {
      current = { section, start: offset, end: lineEnd };
    }
    offset = lineEnd + 1;
  }
  if (current) out.push(current);
  return out;
}

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });

/** Cuts one long block into pieces of about equal length at sentence boundaries. */
function splitLong(markdown: string, block: Block, maxWords: number): Block[] {
  const text = markdown.slice(block.start, block.end);
  const total = countWords(text);
  const pieces = Math.ceil(total / maxWords);
  const target = total / pieces;
  const out: Block[] = [];
  let pieceStart = block.start;
  let words = 0;
  for (const s of segmenter.segment(text)) {
    words += countWords(s.segment);
    const end = block.start + s.index + s.segment.length;
    if (words >= target && out.length < pieces - 1) {
      out.push({ section: block.section, start: pieceStart, end: trimEnd(markdown, pieceStart, end) });
      pieceStart = end;
      words = 0;
    }
  }
  if (pieceStart < block.end) out.push({ section: block.section, start: pieceStart, end: block.end });
  return out;
}

function trimEnd(text: string, start: number, end: number): number {
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return end;
}

export function chunkMarkdown(markdown: string, options: ChunkOptions = {}): Passage[] {
  const { minWords, maxWords } = { ...DEFAULT_CHUNKING, ...options };
  const pieces: Block[] = [];
  for (const block of blocks(markdown)) {
    if (countWords(markdown, block.start, block.end) > maxWords) pieces.push(...splitLong(markdown, block, maxWords));
    else pieces.push(block);
  }
  const passages: Passage[] = [];
  let open: Block | undefined;
  let openWords = 0;
  const flush = () => {
    if (!open) return;
    const text = markdown.slice(open.start, open.end);
    passages.push({ ordinal: passages.length, section: open.section, start: open.start, end: open.end, text, words: openWords });
    open = undefined;
    openWords = 0;
  };
  for (const piece of pieces) {
    const words = countWords(markdown, piece.start, piece.end);
    if (open && (open.section !== piece.section || openWords + words > maxWords)) flush();
    if (open) open.end = piece.end;
    else open = { ...piece };
    openWords += words;
    if (openWords >= minWords) flush();
  }
  flush();
  return passages;
}
