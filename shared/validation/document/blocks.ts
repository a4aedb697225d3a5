// Splits Markdown into blocks (title, headings, paragraphs, quotes, lists, code...) with offsets.
// A deliberately small line-based reader: entries are generated in a fixed house style, and the
// validators need exact offsets more than full CommonMark coverage.
import type { Block, Heading, Paragraph } from "../types.ts";
import { romanValue } from "../../text/roman.ts";

const HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const QUOTE = /^ {0,3}>/;
const LIST = /^ {0,3}(?:[-*+]|\d{1,9}[.)])[ \t]/;
const RULE = /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/;
const TABLE = /^ {0,3}\|/;
const HTML = /^ {0,3}<(?:[a-zA-Z!/])/;
/** Leading indentation: ASCII and Unicode spaces (NBSP is how the house style indents). */
const INDENT = /^[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]*/;
const NUMERAL = /^([IVXLCDM]+)\.[ \t]+/;

export interface LineInfo {
  lines: string[];
  lineStarts: number[];
}

export function splitLines(text: string): LineInfo {
  const lines: string[] = [];
  const lineStarts: number[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    const end = nl === -1 ? text.length : nl;
    // A trailing \r belongs to the line ending, not to the content.
    const contentEnd = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    lines.push(text.slice(start, contentEnd));
    lineStarts.push(start);
    if (nl === -1) break;
    start = nl + 1;
  }
  return { lines, lineStarts };
}

/** Index of the first character that is not a space, tab or NBSP (line.length when none). */
function firstInk(line: string): number {
  let i = 0;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 0xa0) break;
    i++;
  }
  return i;
}

const isBlank = (line: string): boolean => firstInk(line) === line.length && line.trim().length === 0;

/** Characters a block marker can start with: # ` ~ > - * + _ | < and digits (ordered lists). */
function mayStartBlock(line: string): boolean {
  const i = firstInk(line);
  if (i > 3 || i >= line.length) return false;
  const c = line.charCodeAt(i);
  return c === 35 || c === 96 || c === 126 || c === 62 || c === 45 || c === 42 || c === 43 || c === 95 || c === 124 || c === 60 || (c >= 48 && c <= 57);
}

function startsOtherBlock(line: string): boolean {
  if (!mayStartBlock(line)) return false;
  return HEADING.test(line) || FENCE.test(line) || QUOTE.test(line) || RULE.test(line) || TABLE.test(line);
}

export interface ParsedBlocks {
  blocks: Block[];
  headings: Heading[];
  paragraphs: Paragraph[];
  title: Heading | null;
}

export function parseBlocks(text: string, { lines, lineStarts }: LineInfo): ParsedBlocks {
  const blocks: Block[] = [];
  const headings: Heading[] = [];
  const paragraphs: Paragraph[] = [];
  let title: Heading | null = null;
  const lineEnd = (i: number): number => lineStarts[i]! + lines[i]!.length;
  const base = (kind: Block["kind"], from: number, to: number): Block => ({
    kind,
    start: lineStarts[from]!,
    end: lineEnd(to),
    startLine: from,
    endLine: to,
    text: text.slice(lineStarts[from]!, lineEnd(to)),
  });

  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    const marked = mayStartBlock(line);
    const heading = marked ? HEADING.exec(line) : null;
    if (heading) {
      const depth = heading[1]!.length;
      const raw = heading[2] ?? "";
      const titleStart = lineStarts[i]! + line.indexOf(raw, line.indexOf("#") + depth);
      const isTitle = depth === 1 && title === null;
      const h: Heading = { ...base(isTitle ? "title" : "heading", i, i), kind: isTitle ? "title" : "heading", depth, title: raw, titleStart };
      const numeral = depth === 2 ? NUMERAL.exec(raw) : null;
      if (numeral) {
        const value = romanValue(numeral[1]!);
        if (value !== undefined) {
          h.numeral = numeral[1]!;
          h.numeralValue = value;
        }
      }
      if (isTitle) title = h;
      blocks.push(h);
      headings.push(h);
      i++;
      continue;
    }
    const fence = marked ? FENCE.exec(line) : null;
    if (fence) {
      const marker = fence[1]!;
      let j = i + 1;
      while (j < lines.length && !lines[j]!.trimStart().startsWith(marker)) j++;
      const end = Math.min(j, lines.length - 1);
      blocks.push(base("code", i, end));
      i = end + 1;
      continue;
    }
    if (marked && RULE.test(line)) {
      blocks.push(base("rule", i, i));
      i++;
      continue;
    }
    const kind: Paragraph["kind"] | "table" | "html" = !marked
      ? "paragraph"
      : QUOTE.test(line)
        ? "blockquote"
        : LIST.test(line)
          ? "list"
          : TABLE.test(line)
            ? "table"
            : HTML.test(line)
              ? "html"
              : "paragraph";
    let j = i;
    while (j + 1 < lines.length) {
      const next = lines[j + 1]!;
      if (isBlank(next)) break;
      if (kind === "blockquote" ? !QUOTE.test(next) && startsOtherBlock(next) : kind !== "list" && kind !== "table" && startsOtherBlock(next)) break;
      if (kind === "paragraph" && mayStartBlock(next) && LIST.test(next)) break;
      j++;
    }
    const block = base(kind, i, j);
    if (kind === "table" || kind === "html") {
      blocks.push(block);
      i = j + 1;
      continue;
    }
    let indent: string;
    let contentStart: number;
    if (kind === "blockquote") {
      const m = /^ {0,3}>[ \t\u00a0]?/.exec(line)!;
      indent = "";
      contentStart = block.start + m[0].length;
    } else {
      indent = INDENT.exec(line)![0];
      contentStart = block.start + indent.length;
    }
    const paragraph: Paragraph = {
      ...block,
      kind,
      indent,
      content: text.slice(contentStart, block.end),
      contentStart,
      section: -1,
    };
    blocks.push(paragraph);
    paragraphs.push(paragraph);
    i = j + 1;
  }
  return { blocks, headings, paragraphs, title };
}
