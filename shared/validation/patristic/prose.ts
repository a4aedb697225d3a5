// Citations in running prose, without italics or parentheses, as writers and models make them:
//   "Saint Basil, in his treatise against Eunomius, taught..."      (author, in his <title>,)
//   "as Saint Cyril of Jerusalem teaches in his Catechetical Lectures" (author <verb> in his <title>)
//   "In his Catechetical Lectures, St. Cyril explains..."            (in his <title>, author)
//   "St. Basil's treatise On the Holy Spirit", "the Catechetical Lectures of St. Cyril"
// The words after "his" are read as a title only when a prefix of them names a work of the catalog
// (the citation index, and a loaded library's titles), with or without a genre word ("treatise").
// A phrase that resolves to nothing is kept as an unknown title only when it looks like one (two or
// more capitalised words, not headed by a generic word such as "Letter" or "Homily") and follows
// "his": "in his On the Heavenly Ladder". Everything else is a description, not a citation.
import type { OpusDocument, PatristicCitation } from "../types.ts";
import { GENERIC_TITLES, findAuthorMentions, normalizeTitle } from "./citation-index.ts";
import { fullName } from "./names.ts";
import { significantWords, type WorkCatalog } from "./catalog.ts";

const GENRE = new Set(
  "treatise treatises homily homilies sermon sermons letter letters epistle epistles oration orations discourse discourses lecture lectures work works book books commentary commentaries dialogue dialogues hymn hymns apology catechesis catecheses exposition writing writings tract tome poem poems"
    .split(" "),
);
const STOP = new Set(
  "that which who whom whose where when while he she they we it is was are were as because since though although if whereas but yet so thus".split(" "),
);
const SMALL = new Set(["of", "on", "the", "and", "to", "against", "in", "a", "an", "for", "concerning", "with", "from", "about"]);

/** Honorifics written before a name, so the citation starts where the writer's name does. */
const HONORIFIC_BEFORE = /(?:(?:St|Saint|Blessed|Holy|Our Holy Father)\.?[ \u00a0]+)$/;

interface Phrase {
  words: { text: string; start: number }[];
}

/** Up to ten words from `from`, stopping at punctuation, an asterisk or a clause word. */
function phraseAt(text: string, from: number, limit: number): Phrase {
  const words: Phrase["words"] = [];
  const re = /[\p{L}\p{N}'’-]+|[^\s\p{L}\p{N}'’-]/gu;
  re.lastIndex = from;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m.index < limit && words.length < 10) {
    const w = m[0];
    if (!/[\p{L}\p{N}]/u.test(w)) break; // punctuation ends the phrase
    if (words.length > 0 && STOP.has(w.toLowerCase())) break;
    words.push({ text: w, start: m.index });
  }
  return { words };
}

const capitalised = (w: string): boolean => /^\p{Lu}/u.test(w);

interface Found {
  workIds: string[];
  title: string;
  start: number;
  generic: boolean;
}

/**
 * A lower-case description ("his treatise against Eunomius") names a work only through its title
 * or a variant of two or more significant words: "homilies on the Nativity" is a description, even
 * though "On the Nativity" is a variant title of St. Romanos's kontakia.
 */
function describes(candidate: string, work: { title: string; variants: string[] }): boolean {
  const key = normalizeTitle(candidate);
  if (normalizeTitle(work.title) === key) return true;
  return work.variants.some((v) => normalizeTitle(v) === key && significantWords(v).length >= 2);
}

/** The longest prefix of the phrase (with or without a leading genre word) that names a work. */
function resolvePhrase(phrase: Phrase, catalog: WorkCatalog, allowUnknown: boolean): Found | null {
  const ws = phrase.words;
  if (ws.length === 0) return null;
  const genre = GENRE.has(ws[0]!.text.toLowerCase());
  const text = (from: number, to: number) => ws.slice(from, to).map((w) => w.text).join(" ");
  for (let len = ws.length; len >= 1; len--) {
    for (const from of genre ? [1, 0] : [0]) {
      if (from >= len) continue;
      const candidate = text(from, len);
      // "his homilies" names a kind of writing, not a work.
      if (significantWords(candidate).every((w) => GENRE.has(w))) continue;
      const works = catalog.resolve(candidate).works.filter((w) => capitalised(ws[from]!.text) || describes(candidate, w));
      if (works.length > 0) return { workIds: works.map((w) => w.id), title: candidate, start: ws[from]!.start, generic: false };
    }
  }
  if (!allowUnknown) return null;
  // An unknown title must look like one: capitalised words joined by small words.
  const from = genre ? 1 : 0;
  let end = from;
  let capitals = 0;
  for (let i = from; i < ws.length; i++) {
    const w = ws[i]!.text;
    if (capitalised(w)) {
      capitals += SMALL.has(w.toLowerCase()) ? 0 : 1;
      end = i + 1;
    } else if (!SMALL.has(w)) break;
  }
  if (end <= from || !capitalised(ws[from]!.text)) return null;
  const title = text(from, end);
  const head = normalizeTitle(title).split(" ")[0] ?? "";
  if (GENRE.has(head) || GENERIC_TITLES.has(head) || GENERIC_TITLES.has(normalizeTitle(title))) return { workIds: [], title, start: ws[from]!.start, generic: true };
  if (capitals < 2) return null;
  return { workIds: [], title, start: ws[from]!.start, generic: false };
}

/** "in his ", "from her ", "in the " right at the start of `rest`, after at most a short clause. */
const AFTER_AUTHOR = /^(,?[ \u00a0]+(?:[\p{Ll}]+[ \u00a0]+){0,3}?)(in|from)[ \u00a0]+(his|her|the)[ \u00a0]+/u;
const BEFORE_AUTHOR = /(?:^|[^\p{L}])([Ii]n)[ \u00a0]+(his|her)[ \u00a0]+([^,.;:!?()"“”*]{2,100}),[ \u00a0]*(?:(?:as|so|says|writes)[ \u00a0]+)?$/u;
const POSSESSIVE = /^['’]s?[ \u00a0]+/;
const OF_AUTHOR = /(?:^|[^\p{L}])[Tt]he[ \u00a0]+((?:[\p{Lu}][\p{L}'’-]*|of|on|the|and|to|against)(?:[ \u00a0]+(?:[\p{Lu}][\p{L}'’-]*|of|on|the|and|to|against)){0,8})[ \u00a0]+of[ \u00a0]+$/u;

/**
 * Prose citations of a document. Sentences of block quotes and text inside quotation marks are
 * skipped (what a Father is quoted as saying is not the writer's citation), and so is any phrase
 * overlapping an italic citation, which extract.ts already reads.
 */
export function extractProseCitations(doc: OpusDocument, catalog: WorkCatalog, italic: readonly PatristicCitation[]): PatristicCitation[] {
  const out: PatristicCitation[] = [];
  const text = doc.text;
  const overlapsItalic = (start: number, end: number) => italic.some((c) => start < c.end && end > c.start);
  for (const s of doc.sentences) {
    if (doc.paragraphs[s.paragraph]!.kind === "blockquote") continue;
    const mentions = findAuthorMentions(s.text, s.start).filter((m) => !doc.inQuotation(m.start));
    for (const found of mentions) {
      // "St. Clement of Rome", not the "St. Clement" the finder stopped at.
      const full = fullName(text, found.start, found.end);
      const mention = { start: found.start, end: Math.min(full.end, s.end) };
      const ids = full.ids;
      if (ids.length === 0) continue;
      const honorific = HONORIFIC_BEFORE.exec(text.slice(Math.max(s.start, mention.start - 24), mention.start));
      const authorStart = mention.start - (honorific ? honorific[0].length : 0);
      const author = text.slice(authorStart, mention.end);
      /** Records a citation; false when there was none, so the next pattern is tried. */
      const push = (found: Found | null): boolean => {
        if (!found) return false;
        const workEnd = found.start + found.title.length;
        const start = Math.min(authorStart, found.start);
        const end = Math.max(mention.end, workEnd);
        if (overlapsItalic(start, end) || doc.inQuotation(found.start)) return false;
        if (out.some((c) => c.workStart === found.start)) return true;
        out.push({
          start,
          end,
          author,
          authorStart,
          work: found.title,
          workStart: found.start,
          authorIds: ids,
          workIds: found.workIds,
          generic: found.generic,
          form: "prose",
        });
        return true;
      };
      const rest = text.slice(mention.end, s.end);
      // "Saint Basil, in his treatise against Eunomius," / "St. Cyril teaches in his Catechetical Lectures".
      const after = AFTER_AUTHOR.exec(rest);
      if (after) {
        const from = mention.end + after[0].length;
        if (push(resolvePhrase(phraseAt(text, from, s.end), catalog, after[3] !== "the"))) continue;
      }
      // "St. Basil's treatise On the Holy Spirit".
      const possessive = POSSESSIVE.exec(rest);
      if (possessive) {
        if (push(resolvePhrase(phraseAt(text, mention.end + possessive[0].length, s.end), catalog, false))) continue;
      }
      const before = text.slice(s.start, authorStart);
      // "In his Catechetical Lectures, St. Cyril explains".
      const inHis = BEFORE_AUTHOR.exec(before);
      if (inHis) {
        const from = s.start + inHis.index + inHis[0].indexOf(inHis[3]!, inHis[0].indexOf(inHis[2]!) + inHis[2]!.length);
        if (push(resolvePhrase(phraseAt(text, from, authorStart), catalog, true))) continue;
      }
      // "the Catechetical Lectures of St. Cyril".
      const of = OF_AUTHOR.exec(before);
      if (of) {
        const from = s.start + of.index + of[0].lastIndexOf(of[1]!);
        push(resolvePhrase(phraseAt(text, from, authorStart), catalog, false));
      }
    }
  }
  return out;
}
