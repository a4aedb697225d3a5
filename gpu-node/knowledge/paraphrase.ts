// Deterministic paraphrased copies for calibrating the uniqueness check: the kind of disguise a
// plagiarist or an article spinner applies. Content words outside quotations are swapped for a
// near neighbour in GloVe space (a synonym or a close cousin), and sentences are reordered.
import { createRequire } from "node:module";
import type * as Usearch from "usearch";
import type { GloveVectors } from "./static-model/glove-source.ts";

const usearch = createRequire(import.meta.url)("usearch") as typeof Usearch;

/** Seeded PRNG (mulberry32): the same seed gives the same paraphrase on every machine. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The most frequent English words: never swapped (swapping "the" disguises nothing). */
const KEEP_RANK = 150;

export interface SynonymTable {
  /** Up to a few neighbours per word, best first. */
  neighbours(word: string): readonly string[];
}

/**
 * Nearest neighbours of the `vocabulary` most frequent GloVe words, by cosine, leaving out forms
 * of the same word (a shared 4-letter stem) and non-alphabetic tokens.
 */
export function gloveSynonyms(glove: GloveVectors, vocabulary = 30_000, perWord = 3): SynonymTable {
  const rows = Math.min(vocabulary, glove.words.length);
  const dims = glove.dimensions;
  const index = new usearch.Index({ dimensions: dims, metric: usearch.MetricKind.Cos, quantization: usearch.ScalarKind.F32, connectivity: 16, expansion_add: 64, expansion_search: 64, multi: false });
  index.add(
    BigUint64Array.from({ length: rows }, (_, i) => BigInt(i)),
    glove.vectors.subarray(0, rows * dims),
    0,
  );
  const rank = new Map<string, number>();
  for (let i = 0; i < rows; i++) rank.set(glove.words[i]!, i);
  const cache = new Map<string, string[]>();
  return {
    neighbours(word) {
      const hit = cache.get(word);
      if (hit) return hit;
      const r = rank.get(word);
      if (r === undefined || r < KEEP_RANK) return [];
      const result = index.search(glove.vectors.subarray(r * dims, (r + 1) * dims), perWord + 8, 0);
      const out: string[] = [];
      for (const key of result.keys) {
        const candidate = glove.words[Number(key)]!;
        if (candidate === word || !/^[a-z]+$/.test(candidate) || candidate.slice(0, 4) === word.slice(0, 4)) continue;
        out.push(candidate);
        if (out.length === perWord) break;
      }
      cache.set(word, out);
      return out;
    },
  };
}

const segmenter = new Intl.Segmenter("en", { granularity: "sentence" });

function matchCase(replacement: string, original: string): string {
  if (original[0] && original[0] === original[0].toUpperCase() && original[0] !== original[0].toLowerCase()) {
    return replacement[0]!.toUpperCase() + replacement.slice(1);
  }
  return replacement;
}

export interface ParaphraseOptions {
  /** Share of eligible words swapped. */
  swapRate: number;
  reorderSentences: boolean;
  seed: number;
}

/** Paraphrases one paragraph (its indent kept); quoted text is left as it is. */
export function paraphraseParagraph(paragraph: string, synonyms: SynonymTable, options: ParaphraseOptions): string {
  const random = seededRandom(options.seed);
  const indent = paragraph.match(/^[\u00A0 ]*/)?.[0] ?? "";
  const body = paragraph.slice(indent.length);
  // Split into quoted and unquoted stretches; only the unquoted are touched.
  const swapped = body
    .split(/("[^"]*")/)
    .map((part) =>
      part.startsWith('"')
        ? part
        : part.replace(/\p{L}+/gu, (word) => {
            const choices = synonyms.neighbours(word.toLowerCase());
            if (choices.length === 0 || random() >= options.swapRate) return word;
            return matchCase(choices[Math.floor(random() * choices.length)]!, word);
          }),
    )
    .join("");
  if (!options.reorderSentences) return indent + swapped;
  const sentences = [...segmenter.segment(swapped)].map((s) => s.segment.trim()).filter(Boolean);
  if (sentences.length < 2) return indent + swapped;
  const order = sentences.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  if (order.every((v, i) => v === i)) order.reverse();
  return indent + order.map((i) => sentences[i]).join(" ");
}
