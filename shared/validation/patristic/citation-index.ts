// The citation index of the Fathers: authors (names, variants, dates), their works (titles,
// variants), and councils and events with dates. Built once per process from the data files.
import fathers from "../../data/fathers.json" with { type: "json" };
import worksData from "../../data/works.json" with { type: "json" };
import councilsData from "../../data/councils.json" with { type: "json" };

export interface Author {
  id: string;
  name: string;
  variants: string[];
  born: number | null;
  died: number | null;
  circa: boolean;
  kind: string;
}

export interface Work {
  id: string;
  title: string;
  authors: string[];
  traditionallyAttributedTo?: string[];
  variants: string[];
}

export interface Council {
  id: string;
  name: string;
  variants: string[];
  year: number;
  endYear: number;
  circa: boolean;
  kind: string;
}

export const AUTHORS: readonly Author[] = fathers.authors;
export const WORKS: readonly Work[] = worksData.works;
export const COUNCILS: readonly Council[] = councilsData.councils;

const HONORIFIC = /^(?:(?:st|sts|saint|saints|blessed|bl|abba|elder|holy|father|fr|our|righteous|venerable|ven|hieromartyr|the)\.?\s+)+/;

function fold(s: string): string {
  return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[’`]/g, "'");
}

/** "St. Gregory of Nyssa" and "Saint Gregory of Nyssa" both give "gregory of nyssa". */
export function normalizeAuthor(name: string): string {
  return fold(name).replace(/\./g, ". ").replace(/\s+/g, " ").trim().replace(HONORIFIC, "").replace(/\.\s*$/, "").replace(/\s*\.\s*/g, " ").trim();
}

/** Titles compare without case, accents, punctuation or a leading article. */
export function normalizeTitle(title: string): string {
  return fold(title)
    .replace(/[^a-z0-9' ]+/g, " ")
    .replace(/'/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^(?:the|a|an) /, "");
}

const authorById = new Map(AUTHORS.map((a) => [a.id, a]));
const authorsByName = new Map<string, string[]>();
for (const a of AUTHORS) {
  for (const v of [a.name, ...a.variants]) {
    const key = normalizeAuthor(v);
    const list = authorsByName.get(key) ?? [];
    if (!list.includes(a.id)) list.push(a.id);
    authorsByName.set(key, list);
  }
}
const worksByTitle = new Map<string, Work[]>();
for (const w of WORKS) {
  for (const t of [w.title, ...w.variants]) {
    const key = normalizeTitle(t);
    const list = worksByTitle.get(key) ?? [];
    if (!list.includes(w)) list.push(w);
    worksByTitle.set(key, list);
  }
}
const genericTitles = new Set(worksData.genericTitles.map(normalizeTitle));
/** Titles any author may carry, normalised ("letter", "homilies"). */
export const GENERIC_TITLES: ReadonlySet<string> = genericTitles;

export const getAuthor = (id: string): Author => {
  const a = authorById.get(id);
  if (!a) throw new Error(`unknown author id ${id}`);
  return a;
};

/** Author ids a name may denote, trying shorter tails of the name ("Moreover St. Basil" gives Basil). */
export function resolveAuthor(name: string): { ids: string[]; skip: number } {
  const words = [...name.matchAll(/\S+/g)];
  for (const w of words) {
    const ids = authorsByName.get(normalizeAuthor(name.slice(w.index)));
    if (ids) return { ids, skip: w.index };
  }
  return { ids: [], skip: 0 };
}

/** Works a title may denote; generic titles ("Letter 38", "Homilies on...") are flagged as such. */
export function resolveWork(title: string): { works: Work[]; generic: boolean } {
  const key = normalizeTitle(title);
  const direct = worksByTitle.get(key);
  if (direct) return { works: direct, generic: false };
  // "Oration 29", "Letter 38", "Homily 3 on Matthew": a generic head followed by a number.
  const head = /^([a-z ]+?) \d/.exec(key)?.[1] ?? key;
  if (genericTitles.has(head) || genericTitles.has(key)) return { works: [], generic: true };
  const numbered = /^([a-z ]+?) \d+(?: \d+)*$/.exec(key)?.[1];
  if (numbered && worksByTitle.has(numbered)) return { works: worksByTitle.get(numbered)!, generic: false };
  return { works: [], generic: false };
}

export function worksOf(authorIds: readonly string[]): Work[] {
  return WORKS.filter((w) => w.authors.some((a) => authorIds.includes(a)) || w.traditionallyAttributedTo?.some((a) => authorIds.includes(a)));
}

export function writtenBy(work: Work, authorIds: readonly string[]): boolean {
  return work.authors.some((a) => authorIds.includes(a)) || (work.traditionallyAttributedTo ?? []).some((a) => authorIds.includes(a));
}

/** Closest title (by shared words) among works, for suggestions. */
export function closestTitle(title: string, candidates: readonly Work[]): Work | null {
  const words = new Set(normalizeTitle(title).split(" ").filter((w) => w.length > 2));
  let best: { score: number; work: Work } | null = null;
  for (const w of candidates) {
    for (const t of [w.title, ...w.variants]) {
      const tw = normalizeTitle(t).split(" ").filter((x) => x.length > 2);
      const shared = tw.filter((x) => words.has(x)).length;
      const score = shared / Math.max(1, Math.max(tw.length, words.size));
      if (shared > 0 && (!best || score > best.score)) best = { score, work: w };
    }
  }
  return best && best.score >= 0.34 ? best.work : null;
}

// --- mentions in running text ---------------------------------------------------------------

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const stoplist = new Set(fathers.mentionStoplist);
const LETTER = "A-Za-z\\u00C0-\\u024F";

function mentionRegex(entries: { id: string; names: string[] }[]): { re: RegExp; byName: Map<string, string> } {
  const byName = new Map<string, string>();
  for (const e of entries) for (const n of e.names) if (!byName.has(n)) byName.set(n, e.id);
  const names = [...byName.keys()].sort((a, b) => b.length - a.length).map(escape);
  return { re: new RegExp(`(?<![${LETTER}])(?:${names.join("|")})(?![${LETTER}])`, "g"), byName };
}

// With an honorific, a stoplisted single name that denotes one author in the index is a mention
// ("St. Maximus"), except names the Bible also gives to saints ("St. Simeon", "St. Isaac").
const BIBLICAL = new Set(["Isaac", "Simeon", "Symeon", "Nicodemus", "Theophilus", "Hermas", "Ephraim", "Justin"]);
const singleOwner = (v: string): boolean => AUTHORS.filter((a) => a.variants.includes(v)).length === 1 && !BIBLICAL.has(v);
const authorMentions = mentionRegex(
  AUTHORS.map((a) => ({
    id: a.id,
    names: [a.name.replace(/^(?:St\.|Blessed) /, ""), ...a.variants].flatMap((v) =>
      v.includes(" ") || !stoplist.has(v) ? [v] : singleOwner(v) ? [`St. ${v}`, `Saint ${v}`] : [],
    ),
  })),
);
// Ambiguous bare council names resolve to the earliest council, so no anachronism is inferred from them.
const councilMentions = mentionRegex(
  [...COUNCILS].sort((a, b) => a.year - b.year).map((c) => ({ id: c.id, names: c.variants })),
);
const councilById = new Map(COUNCILS.map((c) => [c.id, c]));
export const getCouncil = (id: string): Council => councilById.get(id)!;

export interface Mention {
  id: string;
  start: number;
  end: number;
}

function findMentions(text: string, { re, byName }: { re: RegExp; byName: Map<string, string> }, offset: number): Mention[] {
  const out: Mention[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push({ id: byName.get(m[0])!, start: offset + m.index, end: offset + m.index + m[0].length });
  return out;
}

export const findAuthorMentions = (text: string, offset = 0): Mention[] => findMentions(text, authorMentions, offset);
export const findCouncilMentions = (text: string, offset = 0): Mention[] => findMentions(text, councilMentions, offset);
