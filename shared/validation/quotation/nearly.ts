// The "nearly" measure: how much of a quotation a source passage holds, word for word, in order.
//
// Both texts are reduced to comparable tokens (normalize.ts: spelling, archaic forms, punctuation
// and footnote digits do not count). The quotation is aligned to the passage by a local alignment
// (Smith-Waterman over words: a shared word +1, a changed, added or missing word -1), and where the
// quotation marks an omission with an ellipsis the passage may run on for free. Then
//
//     nearly = M / (Q + I)
//
// where M is the weight of the quotation words matched, Q the weight of all the quotation's words,
// and I the weight of the passage words inside the aligned stretch that match nothing and are not
// covered by an ellipsis. A word weighs 1, a function word ("the", "for", "shall") 1/4: two verses
// built alike ("Blessed are the merciful, for they shall..." and "Blessed are the peacemakers, for
// they shall...") share their frame, not their sense, and a translation that says "passeth" and
// "keep" where another says "surpasses" and "guard" differs in words that count.
// An exact quotation scores 1; two content words changed out of twenty score about 0.82; a clause
// left out without an ellipsis costs its weight in I. A paraphrase keeps few words in order and
// scores low; a quotation of another text shares only common words and scores near 0. The
// threshold that separates "found" from "not found" is calibrated in bench/quotation-calibration.ts.
import { normalizeWord, STOPWORDS, tokenize, type Token } from "./normalize.ts";

const FUNCTION_WORDS = new Set([...STOPWORDS].map(normalizeWord));
export const FUNCTION_WORD_WEIGHT = 0.25;
const weight = (token: string): number => (FUNCTION_WORDS.has(token) ? FUNCTION_WORD_WEIGHT : 1);

export interface NearlyResult {
  /** 0..1, see above. */
  score: number;
  /** Quotation words matched. */
  matched: number;
  /** Quotation length in words (after normalisation). */
  length: number;
  /** UTF-16 offsets of the aligned stretch in the passage text (0, 0 when nothing aligned). */
  start: number;
  end: number;
}

/** "...", "…", ". . .", "[...]" and "[…]" mark an omission. */
const ELLIPSIS = /\[?(?:\.\s?\.\s?\.|…)\]?/g;

/** The quotation's words, each with whether an ellipsis stands right before it. */
export interface PreparedQuote {
  tokens: string[];
  /** gapBefore[i]: an omission is marked between word i-1 and word i. */
  gapBefore: boolean[];
}

export function prepareQuote(quote: string): PreparedQuote {
  const tokens: string[] = [];
  const gapBefore: boolean[] = [];
  const segments = quote.split(ELLIPSIS);
  segments.forEach((segment, s) => {
    const words = tokenize(segment);
    words.forEach((w, i) => {
      tokens.push(w.norm);
      gapBefore.push(i === 0 && s > 0 && tokens.length > 1);
    });
  });
  return { tokens, gapBefore };
}

const MATCH = 1;
const MISMATCH = -1;
const GAP = -1;

/**
 * Scores a quotation against one passage. `passage` may be given pre-tokenized (the library does
 * so to tokenize each candidate once).
 */
export function nearly(quote: string | PreparedQuote, passage: string | readonly Token[]): NearlyResult {
  const q = typeof quote === "string" ? prepareQuote(quote) : quote;
  const p = typeof passage === "string" ? tokenize(passage) : passage;
  const n = q.tokens.length;
  const m = p.length;
  const empty: NearlyResult = { score: 0, matched: 0, length: n, start: 0, end: 0 };
  if (n === 0 || m === 0) return empty;
  // H[i][j]: best score of an alignment ending at quote word i-1 and passage word j-1.
  // Rolling rows would save memory, but the traceback needs the whole table; quotations and
  // passages are a few hundred words at most.
  const width = m + 1;
  const H = new Float64Array((n + 1) * width);
  // Trace: 0 stop, 1 diagonal, 2 up (quote word unmatched), 3 left (passage word extra), 4 left for free.
  const T = new Uint8Array((n + 1) * width);
  let best = 0;
  let bestAt = 0;
  for (let i = 1; i <= n; i++) {
    const qi = q.tokens[i - 1]!;
    const free = i < n && q.gapBefore[i] === true; // after word i-1 an omission follows
    for (let j = 1; j <= m; j++) {
      const diag = H[(i - 1) * width + j - 1]! + (qi === p[j - 1]!.norm ? MATCH : MISMATCH);
      const up = H[(i - 1) * width + j]! + GAP;
      const leftCell = H[i * width + j - 1]!;
      const left = leftCell + (free ? 0 : GAP);
      let v = 0;
      let t = 0;
      if (diag > v) {
        v = diag;
        t = 1;
      }
      if (up > v) {
        v = up;
        t = 2;
      }
      if (left > v) {
        v = left;
        t = free ? 4 : 3;
      }
      H[i * width + j] = v;
      T[i * width + j] = t;
      if (v > best) {
        best = v;
        bestAt = i * width + j;
      }
    }
  }
  if (best <= 0) return empty;
  let i = Math.floor(bestAt / width);
  let j = bestAt % width;
  const endWord = j - 1;
  let matched = 0;
  let matchedWeight = 0;
  let insertedWeight = 0;
  let startWord = endWord;
  while (i > 0 && j > 0) {
    const t = T[i * width + j]!;
    if (t === 0) break;
    if (t === 1) {
      const word = q.tokens[i - 1]!;
      if (word === p[j - 1]!.norm) {
        matched++;
        matchedWeight += weight(word);
      } else insertedWeight += weight(p[j - 1]!.norm);
      startWord = j - 1;
      i--;
      j--;
    } else if (t === 2) {
      i--;
    } else {
      if (t === 3) insertedWeight += weight(p[j - 1]!.norm);
      startWord = j - 1;
      j--;
    }
  }
  const quoteWeight = q.tokens.reduce((w, token) => w + weight(token), 0);
  const score = matchedWeight / (quoteWeight + insertedWeight);
  return { score: Math.round(score * 10000) / 10000, matched, length: n, start: p[startWord]!.start, end: p[endWord]!.end };
}
