// Smooth inverse frequency (SIF) weighting, Arora, Liang and Ma, "A Simple but Tough-to-Beat
// Baseline for Sentence Embeddings" (ICLR 2017), folded into the token table so that the standard
// mean pooling of transformers.js computes a SIF sentence embedding:
//   - each word vector is scaled by a / (a + p(w)), so frequent words ("the", ",") count little;
//   - the first principal component of the word vectors is projected out of every row. That
//     projection is linear, so removing it per token before pooling equals removing it from the
//     pooled vector, and normalisation afterwards makes the mean's 1/n irrelevant.
// GloVe ships ranks, not counts, so p(w) follows Zipf's law from the frequency rank.
// Measured on hand-made sentence pairs: plain mean pooling scores paraphrases 0.95-0.98 and
// unrelated theological sentences 0.89-0.96 (no separation); SIF with a = 1e-3 and one component
// removed scores paraphrases 0.79-0.85 and unrelated sentences 0.38-0.61.

export interface SifOptions {
  /** The SIF smoothing constant a. */
  a: number;
  /** How many leading principal components to remove. */
  removeComponents: number;
  /** How many of the most frequent words estimate the components (the rest add noise only). */
  componentVocabulary: number;
}

export const DEFAULT_SIF: SifOptions = { a: 1e-3, removeComponents: 1, componentVocabulary: 50_000 };

/** Zipf estimate of the unigram probability of the word at 0-based frequency rank `rank`. */
export function zipfProbability(rank: number, vocabularySize: number): number {
  const harmonic = Math.log(vocabularySize) + 0.5772156649;
  return 1 / ((rank + 1) * harmonic);
}

/** Scales rows in place by their SIF weight and removes the leading principal components. */
export function applySif(vectors: Float32Array, rows: number, dims: number, options: SifOptions = DEFAULT_SIF): void {
  for (let r = 0; r < rows; r++) {
    const weight = options.a / (options.a + zipfProbability(r, rows));
    for (let d = 0; d < dims; d++) vectors[r * dims + d]! *= weight;
  }
  const sample = Math.min(rows, options.componentVocabulary);
  const components: Float64Array[] = [];
  for (let c = 0; c < options.removeComponents; c++) {
    components.push(leadingComponent(vectors, sample, dims, rows, components));
  }
  for (let r = 0; r < rows; r++) {
    for (const u of components) {
      let dot = 0;
      for (let d = 0; d < dims; d++) dot += vectors[r * dims + d]! * u[d]!;
      for (let d = 0; d < dims; d++) vectors[r * dims + d]! -= dot * u[d]!;
    }
  }
}

/**
 * Leading eigenvector of the frequency-weighted second-moment matrix of the first `sample` rows,
 * orthogonal to `previous`, by power iteration on the explicit dims x dims matrix.
 */
function leadingComponent(vectors: Float32Array, sample: number, dims: number, rows: number, previous: Float64Array[]): Float64Array {
  const m = new Float64Array(dims * dims);
  for (let r = 0; r < sample; r++) {
    const f = zipfProbability(r, rows);
    const base = r * dims;
    for (let i = 0; i < dims; i++) {
      const vi = vectors[base + i]! * f;
      for (let j = 0; j < dims; j++) m[i * dims + j]! += vi * vectors[base + j]!;
    }
  }
  let u = new Float64Array(dims).fill(1 / Math.sqrt(dims));
  for (let iteration = 0; iteration < 200; iteration++) {
    const next = new Float64Array(dims);
    for (let i = 0; i < dims; i++) {
      let s = 0;
      for (let j = 0; j < dims; j++) s += m[i * dims + j]! * u[j]!;
      next[i] = s;
    }
    for (const q of previous) {
      let dot = 0;
      for (let d = 0; d < dims; d++) dot += next[d]! * q[d]!;
      for (let d = 0; d < dims; d++) next[d]! -= dot * q[d]!;
    }
    const norm = Math.hypot(...next) || 1;
    let change = 0;
    for (let d = 0; d < dims; d++) {
      const value = next[d]! / norm;
      change += Math.abs(value - u[d]!);
      next[d] = value;
    }
    u = next;
    if (change < 1e-10) break;
  }
  return u;
}
