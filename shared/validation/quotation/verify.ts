// Checks every attributed quotation of a document against a library of primary sources: a
// quotation credited to a Father or council is looked for in his works (verified), then in
// everyone else's (misattributed), else reported with the closest passage (unverified); a
// quotation of Scripture is compared with the cited verses of every loaded translation. The rules
// (rules/citation, rules/scripture/misquoted.ts) and the entry's JSON read the same results.
import type { OpusDocument, ScriptureReference } from "../types.ts";
import { bookByOsis, lxxToMt } from "../scripture/canon.ts";
import { attributedQuotations, authorRefName, DEFAULT_MIN_QUOTE_WORDS, type AttributedQuotation } from "./attribution.ts";
import type { SourceLookup, SourcePassage, SourceVerse, VerseRange } from "./lookup.ts";
import { nearly, prepareQuote, type PreparedQuote } from "./nearly.ts";
import { tokenize } from "./normalize.ts";

export interface VerificationOptions {
  /** "nearly" at or above this counts as found (calibrated: bench/quotation-calibration.ts). */
  threshold: number;
  /** Quotations shorter than this many words are not checked. */
  minWords: number;
  /** Full-text candidates scored per search. */
  candidates: number;
}

/** Calibrated on cases built from the library; see docs/sources.md. */
export const DEFAULT_VERIFICATION: VerificationOptions = { threshold: 0.6, minWords: DEFAULT_MIN_QUOTE_WORDS, candidates: 24 };

export interface PassageRecord {
  citation: string;
  author: string;
  authorRef: string;
  work: string;
  part: string | null;
  paragraph: number;
  section: string | null;
  start: number;
  end: number;
  year: number | null;
  sourceUrl: string | null;
  /** The words of the passage that the quotation aligns with. */
  excerpt: string;
}

export interface VerseRecord {
  reference: string;
  translation: string;
  text: string;
}

export interface QuotationCheck {
  /** The quotation's range in the document. */
  start: number;
  end: number;
  quote: string;
  kind: "patristic" | "scripture";
  /** The author or reference as written. */
  attributedTo: string;
  attributedRefs: string[];
  /**
   * patristic: verified (found in the author's works), misattributed (found under another author),
   * unverified (not found; `closest` names the nearest passage), unchecked (the library holds none
   * of the author's works). scripture: verified, misquoted, unchecked (the verses are not loaded).
   */
  status: "verified" | "misattributed" | "unverified" | "misquoted" | "unchecked";
  /** The "nearly" score of the passage or verses named. */
  score: number;
  passage?: PassageRecord;
  closest?: PassageRecord;
  verses?: VerseRecord[];
  /** For a misquoted verse: the verse(s) the words do match, when one does. */
  matches?: VerseRecord[];
}

const round = (x: number) => Math.round(x * 1000) / 1000;

function passageRecord(p: SourcePassage, start: number, end: number): PassageRecord {
  return {
    citation: p.citation,
    author: p.author,
    authorRef: p.authorRef,
    work: p.title,
    part: p.part,
    paragraph: p.paragraph,
    section: p.section,
    start: p.start,
    end: p.end,
    year: p.year,
    sourceUrl: p.sourceUrl,
    excerpt: p.text.slice(start, end).replace(/\s+/g, " ").trim(),
  };
}

type Scored = { passage: SourcePassage; score: number; start: number; end: number };

async function scoreCandidates(quote: PreparedQuote, candidates: readonly SourcePassage[], lookup: SourceLookup): Promise<Scored | null> {
  let best: Scored | null = null;
  const consider = (passage: SourcePassage, text: string) => {
    const r = nearly(quote, tokenize(text));
    if (!best || r.score > best.score) best = { passage, score: r.score, start: r.start, end: Math.min(r.end, passage.text.length) };
    return r;
  };
  for (const c of candidates) {
    const r = consider(c, c.text);
    // A quotation running into the next paragraph: try the two together.
    if (lookup.nextPassage && r.score > 0.3 && r.matched < r.length && r.end >= c.text.length - 2) {
      const next = await lookup.nextPassage(c);
      if (next) {
        const joined: SourcePassage = { ...c, end: next.end, text: `${c.text}\n\n${next.text}` };
        consider(joined, joined.text);
      }
    }
  }
  return best;
}

function refLabel(book: string, chapter: number, verse?: number, endVerse?: number, endChapter?: number): string {
  const name = bookByOsis(book)?.name ?? book;
  const head = book === "Ps" ? "Psalm" : name;
  if (verse === undefined) return `${head} ${chapter}${endChapter !== undefined ? `-${endChapter}` : ""}`;
  const end = endChapter !== undefined && endChapter !== chapter ? `-${endChapter}:${endVerse ?? ""}` : endVerse !== undefined && endVerse !== verse ? `-${endVerse}` : "";
  return `${head} ${chapter}:${verse}${end}`;
}

/** Ranges of the loaded (Masoretic-numbered) translations a reference may mean. */
function rangesFor(ref: ScriptureReference): VerseRange[] {
  const base: VerseRange = { book: ref.book, chapter: ref.chapter };
  if (ref.verse !== undefined) base.verse = ref.verse;
  if (ref.endChapter !== undefined) base.endChapter = ref.endChapter;
  if (ref.endVerse !== undefined) base.endVerse = ref.endVerse;
  if (ref.book !== "Ps") return [base];
  // Psalms: the writer may follow the Septuagint numbering, and titles shift verses by one or two.
  const chapters = ref.numbering === "lxx" ? lxxToMt(ref.chapter) : ref.numbering === "mt" ? [ref.chapter] : [ref.chapter, ...lxxToMt(ref.chapter)];
  return [...new Set(chapters)].map((chapter) => {
    const r: VerseRange = { book: "Ps", chapter };
    if (ref.verse !== undefined) {
      r.verse = Math.max(1, ref.verse - 2);
      r.endVerse = (ref.endVerse ?? ref.verse) + 2;
    }
    return r;
  });
}

function groupByTranslation(verses: readonly SourceVerse[]): Map<string, SourceVerse[]> {
  const out = new Map<string, SourceVerse[]>();
  for (const v of verses) {
    const list = out.get(v.translation) ?? [];
    list.push(v);
    out.set(v.translation, list);
  }
  return out;
}

async function checkScripture(a: AttributedQuotation & { attribution: { kind: "scripture" } }, lookup: SourceLookup, options: VerificationOptions): Promise<QuotationCheck> {
  const quote = prepareQuote(a.text);
  const refs = a.attribution.refs;
  const check: QuotationCheck = {
    start: a.quotation.start,
    end: a.quotation.end,
    quote: a.text,
    kind: "scripture",
    attributedTo: refs.map((r) => r.text).join("; "),
    attributedRefs: refs.map((r) => refLabel(r.book, r.chapter, r.verse, r.endVerse, r.endChapter)),
    status: "unchecked",
    score: 0,
  };
  let best: { score: number; verses: SourceVerse[] } | null = null;
  let any = false;
  for (const ref of refs) {
    for (const range of rangesFor(ref)) {
      const verses = await lookup.verses(range);
      if (verses.length === 0) continue;
      any = true;
      for (const [, list] of groupByTranslation(verses)) {
        const r = nearly(quote, list.map((v) => v.text).join(" "));
        if (!best || r.score > best.score) best = { score: r.score, verses: list };
      }
    }
  }
  if (!any || !best) return check;
  const records = (verses: SourceVerse[]): VerseRecord[] => verses.map((v) => ({ reference: refLabel(v.book, v.chapter, v.verse), translation: v.translation, text: v.text }));
  check.score = round(best.score);
  if (best.score >= options.threshold) {
    check.status = "verified";
    check.verses = records(best.verses);
    return check;
  }
  check.status = "misquoted";
  check.verses = records(best.verses);
  // Which verse the words are from: each candidate verse alone and with the next ones.
  let match: { score: number; verses: SourceVerse[] } | null = null;
  for (const v of await lookup.verseCandidates(a.text, { limit: options.candidates })) {
    const window = await lookup.verses({ book: v.book, chapter: v.chapter, verse: v.verse, endVerse: v.verse + 3 });
    const same = window.filter((w) => w.translation === v.translation);
    for (let n = 1; n <= same.length; n++) {
      const r = nearly(quote, same.slice(0, n).map((w) => w.text).join(" "));
      if (!match || r.score > match.score + 1e-9) match = { score: r.score, verses: same.slice(0, n) };
    }
  }
  if (match && match.score >= options.threshold) check.matches = records(match.verses);
  return check;
}

async function checkPatristic(a: AttributedQuotation & { attribution: { kind: "patristic" } }, lookup: SourceLookup, held: ReadonlySet<string>, options: VerificationOptions): Promise<QuotationCheck> {
  const quote = prepareQuote(a.text);
  const refs = a.attribution.authorRefs;
  const check: QuotationCheck = {
    start: a.quotation.start,
    end: a.quotation.end,
    quote: a.text,
    kind: "patristic",
    attributedTo: a.attribution.author,
    attributedRefs: refs,
    status: "unchecked",
    score: 0,
  };
  const inLibrary = refs.some((r) => held.has(r));
  const own = inLibrary ? await scoreCandidates(quote, await lookup.quotationCandidates(a.text, { authorRefs: refs, limit: options.candidates }), lookup) : null;
  if (own && own.score >= options.threshold) {
    check.status = "verified";
    check.score = round(own.score);
    check.passage = passageRecord(own.passage, own.start, own.end);
    return check;
  }
  const all = await lookup.quotationCandidates(a.text, { limit: options.candidates });
  const others = await scoreCandidates(quote, all.filter((p) => !refs.includes(p.authorRef)), lookup);
  if (others && others.score >= options.threshold) {
    check.status = "misattributed";
    check.score = round(others.score);
    check.passage = passageRecord(others.passage, others.start, others.end);
    return check;
  }
  if (!inLibrary) return check;
  check.status = "unverified";
  const closest = own && own.score > 0 ? own : others;
  if (closest && closest.score > 0) {
    check.score = round(closest.score);
    check.closest = passageRecord(closest.passage, closest.start, closest.end);
  }
  return check;
}

const lookupIds = new WeakMap<SourceLookup, number>();
let nextLookupId = 1;

/** Every attributed quotation of the document, checked. Memoized per document, lookup and options. */
export function verifyQuotations(doc: OpusDocument, lookup: SourceLookup, options: Partial<VerificationOptions> = {}): Promise<QuotationCheck[]> {
  const o: VerificationOptions = { ...DEFAULT_VERIFICATION, ...options };
  let id = lookupIds.get(lookup);
  if (id === undefined) lookupIds.set(lookup, (id = nextLookupId++));
  return doc.memo(`quotation:verify:${id}:${o.threshold}|${o.minWords}|${o.candidates}`, async () => {
    const held = await lookup.authorRefs();
    const checks: QuotationCheck[] = [];
    for (const a of attributedQuotations(doc, o.minWords)) {
      checks.push(a.attribution.kind === "scripture" ? await checkScripture(a as never, lookup, o) : await checkPatristic(a as never, lookup, held, o));
    }
    return checks;
  });
}

export { authorRefName };
