// Word overlap between a passage and an indexed passage, weighted by inverse passage frequency in
// the knowledge base: names, dates and rare terms weigh much, words every passage uses weigh
// nothing. A paraphrase keeps most of its source's rare words; a passage that is merely on the same
// subject shares the subject's common vocabulary but few of the rare ones. Measured on the golden
// corpus (bench/uniqueness-calibration.ts) this separates the two far better than embedding
// similarity alone, which sees two passages on one subject as near neighbours.
import { wordTokens } from "./shingles.ts";

export function wordSet(text: string): Set<string> {
  return new Set(wordTokens(text).map((t) => t.word));
}

export class PassageVocabulary {
  private readonly passages = new Map<number, Set<string>>();
  private readonly documentFrequency = new Map<string, number>();

  get size(): number {
    return this.passages.size;
  }

  add(key: number, maskedText: string): void {
    this.remove(key);
    const words = wordSet(maskedText);
    this.passages.set(key, words);
    for (const w of words) this.documentFrequency.set(w, (this.documentFrequency.get(w) ?? 0) + 1);
  }

  remove(key: number): void {
    const words = this.passages.get(key);
    if (!words) return;
    for (const w of words) {
      const n = (this.documentFrequency.get(w) ?? 1) - 1;
      if (n > 0) this.documentFrequency.set(w, n);
      else this.documentFrequency.delete(w);
    }
    this.passages.delete(key);
  }

  /** ln((N + 1) / (df + 1)): 0 for a word in every passage, highest for a word in none. */
  idf(word: string): number {
    return Math.log((this.passages.size + 1) / ((this.documentFrequency.get(word) ?? 0) + 1));
  }

  /** Share of the candidate's word weight found in the indexed passage `key` (0..1). */
  containment(candidate: ReadonlySet<string>, key: number): number {
    const source = this.passages.get(key);
    if (!source) return 0;
    let shared = 0;
    let total = 0;
    for (const w of candidate) {
      const weight = this.idf(w);
      total += weight;
      if (source.has(w)) shared += weight;
    }
    return total > 0 ? shared / total : 0;
  }
}
