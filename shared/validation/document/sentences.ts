// Sentence boundaries inside one paragraph. Theological prose is full of abbreviations ("St.",
// "cf.", "c. 330", "Matt. 5:8") that a naive split on "." would break, so those are listed here.
import type { Range } from "../types.ts";

const ABBREVIATIONS = new Set(
  [
    "st", "sts", "ss", "mt", "bl", "fr", "frs", "dr", "mr", "mrs", "ms", "jr", "sr", "rev", "revd", "abp", "bp", "metr", "patr",
    "cf", "e.g", "i.e", "eg", "ie", "viz", "vs", "etc", "al", "ibid", "op", "cit", "loc", "ca", "c", "fl", "d", "b", "r",
    "ch", "chs", "chap", "sect", "vol", "vols", "nos", "p", "pp", "ed", "eds", "trans", "tr", "v", "vv", "ver", "fol", "ff",
    "gen", "ex", "exod", "lev", "num", "deut", "josh", "judg", "sam", "kgs", "chr", "neh", "esth", "ps", "pss", "prov", "eccl",
    "eccles", "isa", "jer", "lam", "ezek", "dan", "hos", "obad", "mic", "nah", "hab", "zeph", "hag", "zech", "mal", "matt", "mk",
    "lk", "jn", "rom", "cor", "gal", "eph", "phil", "col", "thess", "tim", "tit", "philem", "heb", "jas", "pet", "jud", "apoc",
    "wis", "sir", "bar", "tob", "jdt", "macc", "esd", "lxx", "gr", "lat", "syr", "adv", "haer", "hom", "ep", "epp",
    "comm", "lib", "esp", "approx",
  ],
);

const BOUNDARY = /[.!?]+["”’'\)\]*_]*(?=[\s\u00a0]|$)/g;
const WORD_BEFORE = /([\p{L}.]+)$/u;

/** Ranges of sentences in `text`, relative to it, trimmed of surrounding whitespace. */
export function splitSentences(text: string): Range[] {
  const out: Range[] = [];
  let start = skipSpace(text, 0);
  BOUNDARY.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = BOUNDARY.exec(text)) !== null) {
    const end = m.index + m[0].length;
    if (m[0][0] === "." && m[0][1] !== "." && isAbbreviation(text, m.index)) continue;
    const next = skipSpace(text, end);
    if (next < text.length && !startsSentence(text.charCodeAt(next))) continue;
    if (end > start) out.push({ start, end });
    start = next;
  }
  if (start < text.length) {
    const end = trimEnd(text, text.length);
    if (end > start) out.push({ start, end });
  }
  return out;
}

function isAbbreviation(text: string, dot: number): boolean {
  // The letters (and inner dots, "e.g") just before the period, found without slicing first.
  let from = dot;
  while (from > 0 && dot - from < 12) {
    const c = text.charCodeAt(from - 1);
    if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c > 0xbf) from--;
    else break;
  }
  if (from === dot) return false;
  const before = WORD_BEFORE.exec(text.slice(from, dot));
  if (!before) return false;
  const word = before[1]!.replace(/^\.+/, "");
  if (word.length === 1 && /\p{Lu}/u.test(word)) return true; // an initial, "C. S. Lewis"
  // A Roman chapter before its verse: "Phil. iv. 7", "Ps. xxii. 1".
  if (/^[ivxlc]+$/i.test(word) && /^[ \u00a0]\d/.test(text.slice(dot + 1, dot + 3))) return true;
  return ABBREVIATIONS.has(word.toLowerCase());
}

function startsSentence(code: number): boolean {
  // Upper-case letter, digit, opening quote or bracket, or Markdown emphasis.
  if ((code >= 65 && code <= 90) || (code >= 48 && code <= 57)) return true;
  if (code === 34 || code === 0x201c || code === 0x2018 || code === 39 || code === 40 || code === 91 || code === 42 || code === 95) return true;
  if (code < 0xc0) return false;
  const ch = String.fromCharCode(code);
  return ch !== ch.toLowerCase();
}

function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0 || c === 62 /* > in block quotes */) i++;
    else break;
  }
  return i;
}

function trimEnd(text: string, end: number): number {
  while (end > 0 && /[\s\u00a0]/.test(text[end - 1]!)) end--;
  return end;
}
