// Verbatim overlap by word shingling: every run of `n` consecutive (normalised) words of every
// indexed document is hashed into one table; a candidate's shingles are looked up and chained
// into maximal aligned runs, so a copied stretch is reported with its exact extent in both texts.

export interface WordToken {
  start: number;
  end: number;
  word: string;
}

const WORD = /[\p{L}\p{N}]+(?:['\u2019]\p{L}+)?/gu;

/** Words with offsets, lowercased and without accents ("Théosis" and "theosis" are one word). */
export function wordTokens(text: string): WordToken[] {
  const out: WordToken[] = [];
  for (const m of text.matchAll(WORD)) {
    out.push({
      start: m.index,
      end: m.index + m[0].length,
      word: m[0].normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace("\u2019", "'"),
    });
  }
  return out;
}

/** FNV-1a over the UTF-16 units of the joined words. */
function shingleHash(tokens: readonly WordToken[], at: number, n: number): number {
  let h = 0x811c9dc5;
  for (let i = at; i < at + n; i++) {
    const w = tokens[i]!.word;
    for (let c = 0; c < w.length; c++) h = Math.imul(h ^ w.charCodeAt(c), 0x01000193);
    h = Math.imul(h ^ 0x20, 0x01000193);
  }
  return h >>> 0;
}

export interface VerbatimOverlap {
  documentId: string;
  /** Offsets in the candidate text. */
  start: number;
  end: number;
  /** Offsets in the indexed document. */
  sourceStart: number;
  sourceEnd: number;
  words: number;
}

interface IndexedDocument {
  id: string;
  tokens: WordToken[];
  hashes: number[];
}

/** Positions pack a document slot and a word position into one safe integer. */
const POSITION_BITS = 2 ** 24;

export class ShingleIndex {
  private readonly postings = new Map<number, number[]>();
  private readonly slots: (IndexedDocument | undefined)[] = [];
  private readonly slotOf = new Map<string, number>();

  constructor(readonly n = 8) {}

  get documents(): number {
    return this.slotOf.size;
  }

  has(id: string): boolean {
    return this.slotOf.has(id);
  }

  /** Indexes (or re-indexes) a document's text, already quotation-masked. */
  add(id: string, text: string): void {
    this.remove(id);
    const tokens = wordTokens(text);
    if (tokens.length >= POSITION_BITS) throw new Error(`document ${id} has ${tokens.length} words; the shingle index takes at most ${POSITION_BITS - 1}`);
    const hashes: number[] = [];
    let slot = this.slots.indexOf(undefined);
    if (slot < 0) slot = this.slots.length;
    for (let i = 0; i + this.n <= tokens.length; i++) {
      const h = shingleHash(tokens, i, this.n);
      hashes.push(h);
      const list = this.postings.get(h);
      const position = slot * POSITION_BITS + i;
      if (list) list.push(position);
      else this.postings.set(h, [position]);
    }
    this.slots[slot] = { id, tokens, hashes };
    this.slotOf.set(id, slot);
  }

  remove(id: string): void {
    const slot = this.slotOf.get(id);
    if (slot === undefined) return;
    const doc = this.slots[slot]!;
    const lo = slot * POSITION_BITS;
    const hi = lo + POSITION_BITS;
    for (const h of new Set(doc.hashes)) {
      const list = this.postings.get(h);
      if (!list) continue;
      const kept = list.filter((p) => p < lo || p >= hi);
      if (kept.length > 0) this.postings.set(h, kept);
      else this.postings.delete(h);
    }
    this.slots[slot] = undefined;
    this.slotOf.delete(id);
  }

  /** Aligned runs of at least `minWords` words that `text` shares with an indexed document. */
  overlaps(text: string, options: { minWords: number; exclude?: ReadonlySet<string> }): VerbatimOverlap[] {
    const n = this.n;
    const tokens = wordTokens(text);
    const excludedSlots = new Set<number>();
    for (const id of options.exclude ?? []) {
      const slot = this.slotOf.get(id);
      if (slot !== undefined) excludedSlots.add(slot);
    }
    // Live runs, keyed by the packed source position the next shingle must match.
    let live = new Map<number, { candidateStart: number; sourceStart: number }>();
    const runs: { slot: number; candidateStart: number; candidateEnd: number; sourceStart: number; sourceEnd: number }[] = [];
    const close = (packed: number, run: { candidateStart: number; sourceStart: number }, lastCandidate: number) => {
      const slot = Math.floor(packed / POSITION_BITS);
      const lastSource = (packed % POSITION_BITS) - 1;
      runs.push({ slot, candidateStart: run.candidateStart, candidateEnd: lastCandidate + n - 1, sourceStart: run.sourceStart, sourceEnd: lastSource + n - 1 });
    };
    for (let i = 0; i + n <= tokens.length; i++) {
      const next = new Map<number, { candidateStart: number; sourceStart: number }>();
      for (const packed of this.postings.get(shingleHash(tokens, i, n)) ?? []) {
        const slot = Math.floor(packed / POSITION_BITS);
        if (excludedSlots.has(slot)) continue;
        const doc = this.slots[slot];
        const position = packed % POSITION_BITS;
        if (!doc || !sameWords(tokens, i, doc.tokens, position, n)) continue;
        const continued = live.get(packed);
        next.set(packed + 1, continued ?? { candidateStart: i, sourceStart: position });
        live.delete(packed);
      }
      for (const [packed, run] of live) close(packed, run, i - 1);
      live = next;
    }
    const end = tokens.length - n;
    for (const [packed, run] of live) close(packed, run, end);

    const out: VerbatimOverlap[] = [];
    for (const run of runs) {
      const words = run.candidateEnd - run.candidateStart + 1;
      if (words < options.minWords) continue;
      const doc = this.slots[run.slot]!;
      out.push({
        documentId: doc.id,
        start: tokens[run.candidateStart]!.start,
        end: tokens[run.candidateEnd]!.end,
        sourceStart: doc.tokens[run.sourceStart]!.start,
        sourceEnd: doc.tokens[run.sourceEnd]!.end,
        words,
      });
    }
    return dropContained(out);
  }
}

function sameWords(a: readonly WordToken[], i: number, b: readonly WordToken[], j: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[i + k]!.word !== b[j + k]!.word) return false;
  return true;
}

/** Keeps the longest of overlapping runs in the candidate (a repeated phrase matches several times). */
function dropContained(overlaps: VerbatimOverlap[]): VerbatimOverlap[] {
  overlaps.sort((x, y) => y.words - x.words || x.start - y.start);
  const kept: VerbatimOverlap[] = [];
  for (const o of overlaps) {
    if (!kept.some((k) => o.start < k.end && k.start < o.end)) kept.push(o);
  }
  return kept.sort((x, y) => x.start - y.start);
}
