// The Orthodox canon: book names (our alias table first, then bible-passage-reference-parser for
// spellings we did not list) and chapter/verse bounds read from the parser's versification systems.
// A reference is valid when it exists in at least one numbering an Orthodox writer may follow.
import { bcv_parser } from "bible-passage-reference-parser/esm/bcv_parser.js";
import * as en from "bible-passage-reference-parser/esm/lang/en.js";
import canon from "../../data/canon.json" with { type: "json" };

export interface CanonBook {
  osis: string;
  name: string;
  group: string;
  aliases: string[];
}

export const BOOKS: readonly CanonBook[] = canon.books;
const byOsis = new Map<string, CanonBook>(BOOKS.map((b) => [b.osis, b]));
const byAlias = new Map<string, string>();
for (const b of BOOKS) for (const a of b.aliases) byAlias.set(a, b.osis);

export const bookByOsis = (osis: string): CanonBook | undefined => byOsis.get(osis);

const ORDINALS: Record<string, string> = {
  i: "1", ii: "2", iii: "3", iv: "4", first: "1", second: "2", third: "3", fourth: "4", "1st": "1", "2nd": "2", "3rd": "3", "4th": "4",
};

/** Lower case, periods dropped, spaces collapsed, a leading ordinal written as a digit. */
export function normalizeBookName(name: string): string {
  const words = name.toLowerCase().replace(/\./g, " ").split(/[\s\u00a0]+/).filter(Boolean);
  if (words.length > 1 && ORDINALS[words[0]!]) words[0] = ORDINALS[words[0]!]!;
  return words.join(" ");
}

// The maintained parser resolves spellings our table lacks ("Jhn", "1 Thes", "Eccles"); it costs
// ~0.2 ms a call, so each distinct name is asked once per process.
let parser: bcv_parser | null = null;
const fallbackCache = new Map<string, string | null>();

function parserResolve(name: string): string | null {
  const cached = fallbackCache.get(name);
  if (cached !== undefined) return cached;
  if (!parser) {
    parser = new bcv_parser(en);
    parser.set_options({ testaments: "ona", book_alone_strategy: "ignore", invalid_passage_strategy: "include", ps151_strategy: "c" });
  }
  const probe = `${name} 1:1`;
  let result: string | null = null;
  const found = parser.parse(probe).osis_and_indices();
  const first = found[0];
  // The parser must read the whole name as the book, not a fragment of it ("Is" in "This").
  if (first && first.indices[0] === 0 && first.indices[1] === probe.length) {
    const osis = first.osis.split(/[.,-]/)[0]!;
    if (byOsis.has(osis)) result = osis;
  }
  fallbackCache.set(name, result);
  return result;
}

/** The OSIS id of a book name as written, or null when it names no book of the canon. */
export function resolveBook(name: string): string | null {
  const key = normalizeBookName(name);
  if (key.length === 0) return null;
  const direct = byAlias.get(key);
  if (direct) return direct;
  return parserResolve(name.replace(/\s+/g, " ").trim());
}

/** Resolution through our own table only (used for chapter-only references, which need certainty). */
export function resolveBookStrict(name: string): string | null {
  return byAlias.get(normalizeBookName(name)) ?? null;
}

// --- versification -------------------------------------------------------------------------------

const systems = new en.translations().systems;
/**
 * Numberings a reference may follow: English Bibles, and 'nab', which follows the Greek chapters of
 * Daniel, Joel, Malachi and Baruch. For the Psalms 'vulgate' adds the Septuagint numbering (the
 * Vulgate's other books follow the Latin text, which Orthodox writers do not cite, so not those).
 */
const SCHEMES = ["default", "kjv", "nrsvue", "ceb", "nab"] as const;

function chapterCounts(osis: string, scheme: string): number[] | undefined {
  return systems[scheme]?.chapters?.[osis] ?? systems.default.chapters[osis];
}

/** Every chapter table a book may be checked against (Esther also as Greek Esther). */
function tables(osis: string): number[][] {
  const out: number[][] = [];
  const books = osis === "Esth" ? ["Esth", "GkEsth"] : [osis];
  for (const b of books) {
    for (const s of b === "Ps" ? [...SCHEMES, "vulgate"] : SCHEMES) {
      const t = chapterCounts(b, s);
      if (t && !out.includes(t)) out.push(t);
    }
  }
  if (osis === "Ps") out.push([...(chapterCounts("Ps", "default") ?? []), ...(systems.default.chapters.Ps151 ?? [])]);
  return out;
}

export interface Bounds {
  /** Largest chapter number in any accepted numbering. */
  maxChapter: number;
  /** Largest verse of `chapter` in any numbering that has it (0 when none has the chapter). */
  maxVerse: number;
}

export function bounds(osis: string, chapter: number, lxxPsalms = false): Bounds {
  const list = lxxPsalms ? [chapterCounts("Ps", "vulgate")!, [...chapterCounts("Ps", "vulgate")!, 7]] : tables(osis);
  let maxChapter = 0;
  let maxVerse = 0;
  for (const t of list) {
    maxChapter = Math.max(maxChapter, t.length);
    const v = t[chapter - 1];
    if (v !== undefined) maxVerse = Math.max(maxVerse, v);
  }
  return { maxChapter, maxVerse };
}

export const isSingleChapter = (osis: string): boolean => bounds(osis, 1).maxChapter === 1;

// --- psalm numbering ---------------------------------------------------------------------------

/** Septuagint psalm number(s) for a Hebrew (Masoretic) psalm, optionally at a verse. */
export function mtToLxx(chapter: number, verse?: number): number[] {
  if (chapter <= 8 || (chapter >= 148 && chapter <= 150)) return [chapter];
  if (chapter === 9 || chapter === 10) return [9];
  if (chapter <= 113) return [chapter - 1];
  if (chapter === 114 || chapter === 115) return [113];
  if (chapter === 116) return verse === undefined ? [114, 115] : verse <= 9 ? [114] : [115];
  if (chapter <= 146) return [chapter - 1];
  if (chapter === 147) return verse === undefined ? [146, 147] : verse <= 11 ? [146] : [147];
  return [];
}

/** Hebrew psalm number(s) for a Septuagint psalm. */
export function lxxToMt(chapter: number): number[] {
  if (chapter <= 8 || (chapter >= 148 && chapter <= 150)) return [chapter];
  if (chapter === 9) return [9, 10];
  if (chapter <= 112) return [chapter + 1];
  if (chapter === 113) return [114, 115];
  if (chapter === 114 || chapter === 115) return [116];
  if (chapter <= 145) return [chapter + 1];
  if (chapter === 146 || chapter === 147) return [147];
  return [];
}

// --- suggestions -------------------------------------------------------------------------------

function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      best = Math.min(best, v);
    }
    if (best > limit) return limit + 1;
    prev = row;
  }
  return prev[b.length]!;
}

/** The canonical name of the book closest in spelling, if one is close enough to be a typo. */
export function closestBook(name: string): string | null {
  const key = normalizeBookName(name);
  const limit = key.length <= 4 ? 1 : key.length <= 7 ? 2 : 3;
  let best: { d: number; osis: string } | null = null;
  for (const [alias, osis] of byAlias) {
    if (alias.length < 4) continue;
    const d = editDistance(key, alias, limit);
    if (d <= limit && (!best || d < best.d)) best = { d, osis };
  }
  return best ? byOsis.get(best.osis)!.name : null;
}
