// Blanks out quoted matter before texts are compared, so that quoting Scripture or the Fathers (as
// every entry should) never counts as copying: double-quoted spans, `> ` block quotes, and unquoted
// quotations introduced by a colon or a verb of saying that end in a parenthesised Scripture
// reference ("St. Paul writes, we are fellow workers (1 Corinthians 3:9)"). Headings, Scripture
// references and patristic citations ("St. John of Damascus, *Exact Exposition of the Orthodox
// Faith* 4.13") are blanked too: they are structure and citation, not the writer's prose, and two
// entries citing the same work would otherwise share a long run of words.
// Masked characters become spaces, so offsets into the masked text are offsets into the original.
import { bcv_parser } from "bible-passage-reference-parser/esm/bcv_parser.js";
import * as english from "bible-passage-reference-parser/esm/lang/en.js";

export type MaskKind = "inline-quote" | "block-quote" | "scripture-quote" | "reference" | "citation" | "heading";

export interface MaskedSpan {
  start: number;
  end: number;
  kind: MaskKind;
}

export interface MaskedText {
  /** Same length as the input; masked characters replaced by spaces (newlines kept). */
  masked: string;
  spans: MaskedSpan[];
}

let parser: bcv_parser | undefined;

function scriptureParser(): bcv_parser {
  if (!parser) {
    parser = new bcv_parser(english);
    parser.include_apocrypha(true);
  }
  return parser;
}

/** [start, end) of each Scripture reference in `text` ("John 1:14", "Psalm 82:6 (LXX 81:6)"). */
export function scriptureReferences(text: string): { start: number; end: number }[] {
  const found = scriptureParser().parse(text).osis_and_indices() as { indices: [number, number] }[];
  return found.map((r) => ({ start: r.indices[0], end: r.indices[1] }));
}

const SAYING_VERBS =
  /\b(?:says|said|writes|wrote|declares|declared|teaches|taught|proclaims|proclaimed|exclaims|exclaimed|prays|prayed|sings|sang|confesses|confessed|states|stated|commands|commanded|testifies|testified|cries|cried),\s*$/i;

/** Inline double quotes: straight pairs and curly pairs, each within one line. */
const INLINE_QUOTES = /"[^"\n]+"|\u201C[^\u201D\n]*\u201D/g;

export function maskQuotations(text: string): MaskedText {
  const spans: MaskedSpan[] = [];
  let lineStart = 0;
  for (const line of text.split("\n")) {
    const trimmed = line.replace(/^[\u00A0 \t]+/, "");
    if (trimmed.startsWith(">")) spans.push({ start: lineStart, end: lineStart + line.length, kind: "block-quote" });
    else if (/^#{1,6}\s/.test(trimmed)) spans.push({ start: lineStart, end: lineStart + line.length, kind: "heading" });
    lineStart += line.length + 1;
  }
  for (const m of text.matchAll(INLINE_QUOTES)) spans.push({ start: m.index, end: m.index + m[0].length, kind: "inline-quote" });

  for (const m of text.matchAll(ITALIC)) spans.push({ ...citationAround(text, m.index, m.index + m[0].length), kind: "citation" });

  for (const ref of scriptureReferences(text)) {
    let start = ref.start;
    let end = ref.end;
    // Take the parentheses around a parenthesised reference with it.
    const open = text.lastIndexOf("(", start);
    if (open >= 0 && /^[\s\u00A0]*$/.test(text.slice(open + 1, start))) {
      const close = matchingParenthesis(text, open);
      if (close >= end && close - end < 20 && !text.slice(end, close).includes("\n")) {
        start = open;
        end = close + 1;
      }
    }
    spans.push({ start, end, kind: "reference" });
    if (text[start] === "(") {
      const quote = unquotedQuotationBefore(text, start);
      if (quote) spans.push({ ...quote, kind: "scripture-quote" });
    }
  }

  // Indexed by UTF-16 unit, like every offset here.
  const chars = Array.from({ length: text.length }, (_, i) => text[i]!);
  for (const span of spans) {
    for (let i = span.start; i < span.end; i++) if (chars[i] !== "\n") chars[i] = " ";
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  return { masked: chars.join(""), spans };
}

/** An italic span: a work's title in a citation (or an emphasised word, which costs little to mask). */
const ITALIC = /\*[^*\n]+\*/g;
/** "St. John of Damascus, " just before a title: the author of a patristic citation. */
const AUTHOR_BEFORE = /((?:Sts?\.\s+)?[A-Z][\p{L}'-]*(?:\s+(?:of|the|and|[A-Z][\p{L}'.-]*))*),\s*$/u;
/** "54", "4.13", "5 preface", "65-67" after a title. */
const LOCATOR_AFTER = /^\s*\d[\d.:,-]*(?:\s+(?:preface|prologue))?/;

function citationAround(text: string, titleStart: number, titleEnd: number): { start: number; end: number } {
  const before = text.slice(Math.max(0, titleStart - 80), titleStart);
  const author = before.match(AUTHOR_BEFORE);
  const start = author ? titleStart - before.length + author.index! : titleStart;
  const locator = text.slice(titleEnd, titleEnd + 30).match(LOCATOR_AFTER);
  return { start, end: titleEnd + (locator ? locator[0].length : 0) };
}

/** Index of the ")" closing the "(" at `open` (nested pairs allowed), or -1. */
function matchingParenthesis(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length && text[i] !== "\n"; i++) {
    if (text[i] === "(") depth++;
    else if (text[i] === ")" && --depth === 0) return i;
  }
  return -1;
}

/**
 * The unquoted words a writer attributes to Scripture right before a parenthesised reference:
 * from a colon, or from "writes," / "says," and the like, within the same sentence.
 */
function unquotedQuotationBefore(text: string, refOpen: number): { start: number; end: number } | undefined {
  const lineStart = text.lastIndexOf("\n", refOpen - 1) + 1;
  const before = text.slice(lineStart, refOpen);
  // The sentence holding the reference: after the last ". " (not "St. ", "cf. ") before it.
  let sentenceStart = 0;
  for (const m of before.matchAll(/[.!?]["\u201D)]?\s+(?=[A-Z\u201C"])/g)) {
    const word = before.slice(0, m.index + 1).match(/(\S+)$/)?.[1] ?? "";
    if (!/^(?:St|Sts|cf|Cf|vol|ch|Mt|Dr)\.$/.test(word)) sentenceStart = m.index + m[0].length;
  }
  const sentence = before.slice(sentenceStart);
  const colon = sentence.lastIndexOf(":");
  let from = -1;
  // A colon inside a reference such as "1:14" is not a clause colon.
  if (colon >= 0 && !/\d$/.test(sentence.slice(0, colon))) from = colon + 1;
  else {
    const lastComma = sentence.lastIndexOf(",");
    if (lastComma >= 0 && SAYING_VERBS.test(sentence.slice(0, lastComma + 1))) from = lastComma + 1;
  }
  if (from < 0) return undefined;
  const quoted = sentence.slice(from);
  const words = quoted.trim().split(/\s+/).filter(Boolean).length;
  if (words === 0 || words > 80) return undefined;
  return { start: lineStart + sentenceStart + from, end: refOpen };
}
