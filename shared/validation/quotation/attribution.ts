// Who a quotation is credited to. A quotation counts as attributed only when the writer says so in
// the usual ways, so a phrase in quotation marks near a name is not taken for a quotation of him:
//   St. Basil writes, "..."            a name, then a verb of saying (or a colon) before the quote
//   According to St. Basil, "..."      "according to" or "in the words of" before the name
//   "...," writes St. Basil.           a verb of saying and the name right after the quote
//   "..." (St. Basil, *Hexaemeron* 1)  a citation right after the quote
//   "..." (Matt. v. 8)                 a Scripture reference right after the quote
//   Matt. v. 8: "..."                  a Scripture reference, then a colon or "says"
//   St. Gregory writes:                a paragraph ending in a colon, then a block quote
//   > ...                              (or a block quote ending in "-- St. Gregory")
// Councils count as authors ("The Council of Chalcedon declared: ..."), as "council:<id>".
import type { OpusDocument, PatristicCitation, Quotation, ScriptureReference } from "../types.ts";
import { findAuthorMentions, findCouncilMentions, getAuthor, getCouncil } from "../patristic/citation-index.ts";
import { fullName } from "../patristic/names.ts";
import { tokenize } from "./normalize.ts";

export interface PatristicAttribution {
  kind: "patristic";
  /** Citation-index author ids, or "council:<id>": who the writer credits. */
  authorRefs: string[];
  /** The name as written ("St. Basil"), and where. */
  author: string;
  start: number;
  end: number;
  /** The work named with it, when a citation gives one. */
  citation?: PatristicCitation;
}

export interface ScriptureAttribution {
  kind: "scripture";
  refs: ScriptureReference[];
  start: number;
  end: number;
}

export type Attribution = PatristicAttribution | ScriptureAttribution;

export interface AttributedQuotation {
  quotation: Quotation;
  /** The quoted words (without a trailing attribution line of a block quote). */
  text: string;
  attribution: Attribution;
}

const SAYING =
  /\b(?:says?|said|writes?|wrote|written|teach(?:es)?|taught|declar(?:es|ed)|explain(?:s|ed)|affirm(?:s|ed)|insist(?:s|ed)|observ(?:es|ed)|exhort(?:s|ed)|urg(?:es|ed)|pray(?:s|ed)|confess(?:es|ed)|ask(?:s|ed)|remind(?:s|ed)|proclaim(?:s|ed)|stat(?:es|ed)|puts? it|not(?:es|ed)|warn(?:s|ed)|cr(?:ies|ied)|preach(?:es|ed)|answer(?:s|ed)|repl(?:ies|ied)|argu(?:es|ed)|comment(?:s|ed)|add(?:s|ed)|continu(?:es|ed)|remark(?:s|ed)|tell(?:s)?|told|exclaim(?:s|ed)|sings?|sang|admonish(?:es|ed)|counsel(?:s|led|ed)|decree(?:s|d)|defin(?:es|ed)|anathematiz(?:es|ed)|records?|recorded|reads?|testif(?:ies|ied)|witness(?:es|ed)|speaks?|spoke|summariz(?:es|ed)|summaris(?:es|ed)|reason(?:s|ed)|concludes?|concluded|put)\b/i;
const ACCORDING = /\b(?:according to|in the words of|as)[ \u00a0]+(?:(?:St|Saint|Blessed)\.?[ \u00a0]+)?$/i;

/** Quotations shorter than this are phrases ("the economy", "God-bearer"), not quotations to check. */
export const DEFAULT_MIN_QUOTE_WORDS = 6;

interface Named {
  refs: string[];
  start: number;
  end: number;
}

function namesIn(doc: OpusDocument, from: number, to: number): Named[] {
  const slice = doc.text.slice(from, to);
  const out: Named[] = [];
  for (const m of findAuthorMentions(slice, from)) {
    const full = fullName(doc.text, m.start, m.end);
    out.push({ refs: full.ids.length > 0 ? full.ids : [m.id], start: m.start, end: Math.min(full.end, to) });
  }
  for (const m of findCouncilMentions(slice, from)) {
    if (getCouncil(m.id).kind === "event") continue;
    out.push({ refs: [`council:${m.id}`], start: m.start, end: m.end });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Honorific written before a name ("St. ", "Saint ") so the attribution range covers it. */
function withHonorific(doc: OpusDocument, start: number): number {
  const before = /(?:(?:St|Saint|Blessed|the)\.?[ \u00a0]+)$/i.exec(doc.text.slice(Math.max(0, start - 10), start));
  return before ? start - before[0].length : start;
}

function patristic(doc: OpusDocument, named: Named, citation?: PatristicCitation): PatristicAttribution {
  const start = withHonorific(doc, named.start);
  return { kind: "patristic", authorRefs: named.refs, author: doc.text.slice(start, named.end), start, end: citation ? Math.max(citation.end, named.end) : named.end, ...(citation ? { citation } : {}) };
}

/** References right after a quotation ("(Matt. v. 3-12; Luke vi. 20)"), or right before it with a colon. */
function scriptureFor(doc: OpusDocument, q: { start: number; end: number }, limitBefore: number): ScriptureAttribution | null {
  const text = doc.text;
  const after = doc.scripture.filter((r) => r.start >= q.end && r.start <= q.end + 8);
  const first = after[0];
  if (first && /^[\s\u00a0,;.]*\(?[\s\u00a0]*$/.test(text.slice(q.end, first.start))) {
    // Every reference of the same parenthesis or list.
    const close = text.indexOf(")", first.end);
    const stop = close === -1 ? first.end : close;
    const refs = doc.scripture.filter((r) => r.start >= first.start && r.start <= stop && !/[.!?]/.test(text.slice(first.end, r.start).replace(/\b[A-Z][a-z]{1,5}\./g, "")));
    return { kind: "scripture", refs, start: first.start, end: refs.at(-1)!.end };
  }
  const before = doc.scripture.filter((r) => r.end <= q.start && r.end >= Math.max(limitBefore, q.start - 40)).at(-1);
  if (before && /^\)?[\s\u00a0]*(?:,?[\s\u00a0]*(?:says|reads|declares|teaches|tells us|we read)[\s\u00a0]*)?[:,][\s\u00a0]*$/.test(text.slice(before.end, q.start))) {
    return { kind: "scripture", refs: [before], start: before.start, end: before.end };
  }
  return null;
}

function inlineAttribution(doc: OpusDocument, q: Quotation, prevEnd: number, nextStart: number): Attribution | null {
  const text = doc.text;
  const scripture = scriptureFor(doc, q, prevEnd);
  if (scripture) return scripture;
  // A citation right after: "..." (St. Athanasius, *On the Incarnation* 54).
  const cited = doc.patristic.find((c) => c.start >= q.end && c.start <= q.end + 6 && /^[\s\u00a0,;.]*[(\u2014\u2013-]?[\s\u00a0]*$/.test(text.slice(q.end, c.start)));
  if (cited) {
    const named = namesIn(doc, cited.authorStart, cited.authorStart + cited.author.length)[0];
    return patristic(doc, named ?? { refs: cited.authorIds, start: cited.authorStart, end: cited.authorStart + cited.author.length }, cited);
  }
  // A name before, then a verb of saying or a colon: St. Basil writes, "...".
  const sentence = doc.sentences[doc.sentenceAt(q.start)];
  const from = Math.max(prevEnd, sentence ? sentence.start : q.start - 200, q.start - 200);
  const before = namesIn(doc, from, q.start).filter((n) => !doc.inQuotation(n.start));
  const last = before.at(-1);
  if (last) {
    const between = text.slice(last.end, q.start);
    const lead = text.slice(Math.max(from, last.start - 30), withHonorific(doc, last.start));
    if (between.length <= 160 && (SAYING.test(between) || /:[\s\u00a0]*$/.test(between) || (ACCORDING.test(lead) && /^[\s\u00a0]*,?[\s\u00a0]*$/.test(between)))) {
      const citation = doc.patristic.find((c) => c.authorStart <= last.start && c.end >= last.end);
      return patristic(doc, last, citation);
    }
  }
  // The name after: "...," writes St. Basil.
  const limit = Math.min(nextStart, q.end + 80);
  const named = namesIn(doc, q.end, limit).find((n) => {
    const gap = text.slice(q.end, withHonorific(doc, n.start));
    return gap.length <= 40 && /^[\s\u00a0,.;]*(?:[\p{Ll}]+[\s\u00a0]+){1,3}$/u.test(gap) && SAYING.test(gap);
  });
  if (named) return patristic(doc, named, doc.patristic.find((c) => c.authorStart <= named.start && c.end >= named.end));
  return null;
}

/** A block quote's own attribution line ("-- St. Gregory, *Oration* 29.19") or the paragraph before it. */
function blockAttribution(doc: OpusDocument, q: Quotation): { attribution: Attribution; text: string } | null {
  const text = doc.text;
  const trailer = /(?:^|\n)[>\s\u00a0]*(?:[\u2014\u2013]|--|-)[\s\u00a0]*([^\n]+)$/.exec(q.text) ?? /\(([^()\n]+)\)[\s\u00a0]*$/.exec(q.text);
  if (trailer) {
    const lineStart = q.start + trailer.index + trailer[0].indexOf(trailer[1]!);
    const lineEnd = lineStart + trailer[1]!.length;
    const refs = doc.scripture.filter((r) => r.start >= lineStart && r.end <= lineEnd);
    const quoted = q.text.slice(0, trailer.index);
    if (refs.length > 0) return { attribution: { kind: "scripture", refs, start: refs[0]!.start, end: refs.at(-1)!.end }, text: quoted };
    const named = namesIn(doc, lineStart, lineEnd)[0];
    if (named) return { attribution: patristic(doc, named, doc.patristic.find((c) => c.authorStart <= named.start && c.end >= named.end)), text: quoted };
  }
  // The paragraph before: "St. Gregory of Nyssa writes:" or "... (Matt. v. 3-12):".
  const index = doc.paragraphs.findIndex((p) => p.contentStart === q.start || (p.start <= q.start && q.start < p.end));
  const prev = index > 0 ? doc.paragraphs[index - 1] : undefined;
  if (!prev || prev.kind === "blockquote") return null;
  const tail = prev.content.trimEnd();
  if (!tail.endsWith(":")) return null;
  const lastSentence = doc.sentences.filter((s) => s.paragraph === index - 1).at(-1);
  const from = lastSentence ? lastSentence.start : prev.contentStart;
  const refs = doc.scripture.filter((r) => r.start >= from && r.end <= prev.contentStart + tail.length);
  if (refs.length > 0 && /^[\s\u00a0)]*:$/.test(text.slice(refs.at(-1)!.end, prev.contentStart + tail.length))) {
    return { attribution: { kind: "scripture", refs: [refs.at(-1)!], start: refs.at(-1)!.start, end: refs.at(-1)!.end }, text: q.text };
  }
  const named = namesIn(doc, from, prev.contentStart + tail.length).filter((n) => !doc.inQuotation(n.start)).at(-1);
  if (!named) return null;
  return { attribution: patristic(doc, named, doc.patristic.find((c) => c.authorStart <= named.start && c.end >= named.end)), text: q.text };
}

/** Every quotation of at least `minWords` words that the document attributes to a Father, a council or Scripture. */
export function attributedQuotations(doc: OpusDocument, minWords = DEFAULT_MIN_QUOTE_WORDS): AttributedQuotation[] {
  return doc.memo(`quotation:attributed:${minWords}`, () => {
    const out: AttributedQuotation[] = [];
    const quotes = doc.quotations;
    for (let i = 0; i < quotes.length; i++) {
      const q = quotes[i]!;
      if (q.kind === "block") {
        const found = blockAttribution(doc, q);
        if (found && tokenize(found.text).length >= minWords) out.push({ quotation: q, text: found.text, attribution: found.attribution });
        continue;
      }
      if (tokenize(q.text).length < minWords) continue;
      const prev = quotes[i - 1];
      const next = quotes[i + 1];
      const attribution = inlineAttribution(doc, q, prev && prev.kind === "inline" ? prev.end : 0, next ? next.start : doc.text.length);
      if (attribution) out.push({ quotation: q, text: q.text, attribution });
    }
    return out;
  });
}

/** The name a reader knows an author ref by ("St. Basil the Great", "the Council of Chalcedon"). */
export function authorRefName(ref: string): string {
  if (ref.startsWith("council:")) return getCouncil(ref.slice(8))?.name ?? ref.slice(8);
  if (ref.startsWith("library:")) return ref.slice(8).replace(/-/g, " ").replace(/\b\p{Ll}/gu, (c) => c.toUpperCase());
  try {
    return getAuthor(ref).name;
  } catch {
    return ref;
  }
}
