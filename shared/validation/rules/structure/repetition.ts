// structure/repetition: the same or nearly the same paragraph or sentence twice in one entry,
// which sections generated in parallel invite. Near-duplicate sentences are found by the Jaccard
// similarity of word-bigram sets, with candidates drawn from an inverted index of bigrams; a
// paragraph is a repeat when most of its words lie in sentences matching one earlier paragraph.
import type { IssueDraft, OpusDocument, Validator } from "../../types.ts";

interface Unit {
  start: number;
  end: number;
  /** The unit's word ids, to compare exact repeats. */
  ids: readonly number[];
  /** A hash of `ids` (FNV-1a), to find exact repeats without building strings. */
  key: number;
  grams: Set<number>;
}

// Letters and digits, Latin-1 to Greek and Cyrillic included, without the cost of Unicode classes.
const WORD = /[a-z0-9\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+(?:['’][a-z\u00c0-\u024f]+)?/g;

// A bigram of two function words ("of the") carries no sign of copying and makes the longest
// posting lists, so it is dropped; bigrams with one content word are kept.
const STOP: readonly string[] = "the of and a an to in is was are be been that this it its as by for with on at from or but not his her their he she they we which who whom what so than then there".split(" ");

interface Tokens {
  ids: number[];
  /** Offset of each token inside the tokenized text. */
  offsets: number[];
}

function tokenize(text: string, vocabulary: Map<string, number>): Tokens {
  const ids: number[] = [];
  const offsets: number[] = [];
  const lower = text.toLowerCase();
  WORD.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = WORD.exec(lower)) !== null) {
    let id = vocabulary.get(m[0]);
    if (id === undefined) vocabulary.set(m[0], (id = vocabulary.size));
    ids.push(id);
    offsets.push(m.index);
  }
  return { ids, offsets };
}

/** Word bigrams as integers (ids from a per-document vocabulary): cheaper than strings. */
function bigrams(ids: readonly number[], from: number, to: number, stop: ReadonlySet<number>): Set<number> {
  const out = new Set<number>();
  for (let i = from + 1; i < to; i++) {
    const a = ids[i - 1]!;
    const b = ids[i]!;
    if (stop.has(a) && stop.has(b)) continue;
    out.add(a * 2097152 + b);
  }
  return out;
}

function hashIds(ids: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const id of ids) {
    h ^= id;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Pairs (earlier, later) whose similarity reaches the threshold; each later unit reported once. */
function similarPairs(units: readonly Unit[], threshold: number, maxPosting: number): [number, number, number][] {
  const out: [number, number, number][] = [];
  const exact = new Map<number, number>();
  const postings = new Map<number, number[]>();
  // Shared-bigram counts per earlier unit, reset after each unit through the list of touched ones.
  const shared = new Int32Array(units.length);
  const touched: number[] = [];
  for (let j = 0; j < units.length; j++) {
    const u = units[j]!;
    const first = exact.get(u.key);
    if (first !== undefined && sameIds(units[first]!.ids, u.ids)) {
      out.push([first, j, 1]);
      continue;
    }
    if (first === undefined) exact.set(u.key, j);
    for (const g of u.grams) {
      const list = postings.get(g);
      if (list === undefined) {
        postings.set(g, [j]);
        continue;
      }
      if (list.length <= maxPosting) {
        // too common beyond that to say anything about similarity
        for (const i of list) {
          if (shared[i] === 0) touched.push(i);
          shared[i]!++;
        }
      }
      list.push(j);
    }
    let best: [number, number] | null = null;
    for (const i of touched) {
      const n = shared[i]!;
      shared[i] = 0;
      const jac = n / (units[i]!.grams.size + u.grams.size - n);
      if (jac >= threshold && (!best || jac > best[1] || (jac === best[1] && i < best[0]))) best = [i, jac];
    }
    touched.length = 0;
    if (best) out.push([best[0], j, best[1]]);
  }
  return out;
}

export const repetition: Validator = {
  id: "structure/repetition",
  description: "The same or nearly the same paragraph or sentence appears twice.",
  severity: "error",
  dimension: "structure",
  priority: 60,
  places: ["edge", "gpu"],
  defaults: { minSentenceWords: 8, minParagraphWords: 25, sentenceThreshold: 0.75, paragraphThreshold: 0.6 },
  validate(doc: OpusDocument, ctx): IssueDraft[] {
    const o = ctx.options as { minSentenceWords: number; minParagraphWords: number; sentenceThreshold: number; paragraphThreshold: number };
    const out: IssueDraft[] = [];
    const vocabulary = new Map<string, number>();
    const stop = new Set<number>();
    for (const w of STOP) {
      vocabulary.set(w, vocabulary.size);
      stop.add(vocabulary.size - 1);
    }
    const lineOf = (u: { start: number }): number => doc.position(u.start).line;
    // One pass over sentences, tokenized per paragraph; paragraphs are then judged by how much of
    // their text matches sentences of one earlier paragraph, so no second pass is needed.
    interface SentenceUnit extends Unit {
      paragraph: number;
      words: number;
    }
    const sentences: SentenceUnit[] = [];
    const paragraphWords = new Map<number, number>();
    const paragraphIds = new Map<number, number[]>();
    let current = -1;
    let t: Tokens | null = null;
    let cursor = 0;
    for (const s of doc.sentences) {
      const p = doc.paragraphs[s.paragraph]!;
      if (p.kind !== "paragraph") continue; // block quotes and lists: quoting twice is not writing twice
      if (s.paragraph !== current) {
        current = s.paragraph;
        t = tokenize(p.content, vocabulary);
        cursor = 0;
        paragraphWords.set(current, t.ids.length);
        paragraphIds.set(current, t.ids);
      }
      let from = cursor;
      while (from < t!.offsets.length && p.contentStart + t!.offsets[from]! < s.start) from++;
      let to = from;
      while (to < t!.offsets.length && p.contentStart + t!.offsets[to]! < s.end) to++;
      cursor = to;
      if (to - from < o.minSentenceWords || doc.inQuotation(s.start)) continue;
      const ids = t!.ids.slice(from, to);
      sentences.push({ start: s.start, end: s.end, ids, key: hashIds(ids), grams: bigrams(t!.ids, from, to, stop), paragraph: s.paragraph, words: to - from });
    }
    const pairs = similarPairs(sentences, Math.min(o.sentenceThreshold, o.paragraphThreshold), 30);
    // For each later paragraph: matched words per earlier paragraph, weighted by similarity.
    const byParagraph = new Map<number, Map<number, { words: number; weighted: number; exact: boolean }>>();
    for (const [i, j, sim] of pairs) {
      const a = sentences[i]!;
      const b = sentences[j]!;
      if (a.paragraph === b.paragraph) continue;
      let m = byParagraph.get(b.paragraph);
      if (!m) byParagraph.set(b.paragraph, (m = new Map()));
      const e = m.get(a.paragraph) ?? { words: 0, weighted: 0, exact: true };
      e.words += b.words;
      e.weighted += b.words * sim;
      e.exact &&= sim === 1;
      m.set(a.paragraph, e);
    }
    const repeatedParagraphs = new Set<number>();
    for (const [b, sources] of [...byParagraph.entries()].sort((x, y) => x[0] - y[0])) {
      const words = paragraphWords.get(b)!;
      if (words < o.minParagraphWords) continue;
      let best: [number, { words: number; weighted: number; exact: boolean }] | null = null;
      for (const entry of sources) if (!best || entry[1].weighted > best[1].weighted || (entry[1].weighted === best[1].weighted && entry[0] < best[0])) best = entry;
      const sim = best![1].weighted / words;
      if (sim < o.paragraphThreshold) continue;
      repeatedParagraphs.add(b);
      const a = doc.paragraphs[best![0]]!;
      const p = doc.paragraphs[b]!;
      const verbatim = sameIds(paragraphIds.get(best![0])!, paragraphIds.get(b)!);
      out.push({
        start: p.contentStart,
        end: p.end,
        message: verbatim
          ? `This paragraph repeats the paragraph on line ${lineOf(a)} word for word.`
          : `This paragraph is ${Math.round(sim * 100)}% the same as the paragraph on line ${lineOf(a)}.`,
        suggestion: "Delete one of them, or rewrite this one to say something new.",
      });
    }
    for (const [i, j, sim] of pairs) {
      const a = sentences[i]!;
      const b = sentences[j]!;
      if (sim < o.sentenceThreshold || repeatedParagraphs.has(b.paragraph)) continue; // reported as a whole
      out.push({
        start: b.start,
        end: b.end,
        severity: "warning",
        message: sim === 1 ? `This sentence repeats the sentence on line ${lineOf(a)}.` : `This sentence nearly repeats the sentence on line ${lineOf(a)} (${Math.round(sim * 100)}% the same).`,
        suggestion: "Cut the repetition or vary the point.",
      });
    }
    return out;
  },
};
