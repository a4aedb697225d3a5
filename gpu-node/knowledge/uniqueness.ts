// Near-duplicate detection for a new entry against everything in the knowledge base:
//   - verbatim: shared runs of words, found by shingling;
//   - semantic: a passage whose embedding is close to an indexed passage AND that keeps much of
//     that passage's rare vocabulary (names, dates, technical terms), which is what paraphrase
//     looks like. Embedding similarity alone cannot tell a paraphrase from another passage on the
//     same subject (see lexical-overlap.ts and docs/knowledge.md for the measurements).
// Quotations are masked first on both sides, so shared Scripture and patristic quotations never
// count.
import { countWords } from "../../shared/text/words.ts";
import { chunkMarkdown, type ChunkOptions } from "./chunker.ts";
import { wordSet } from "./lexical-overlap.ts";
import { maskQuotations } from "./quotation-mask.ts";
import type { ShingleIndex } from "./shingles.ts";

export interface UniquenessThresholds {
  /** Cosine similarity at or above which a passage may be a semantic near-duplicate. */
  semanticSimilarity: number;
  /** Rare-word overlap (0..1) a semantically similar passage must also reach to be flagged. */
  lexicalOverlap: number;
  /** Shortest shared run of words reported as verbatim copying. */
  verbatimMinWords: number;
  /** Passages with fewer unquoted words than this are not compared semantically. */
  minPassageWords: number;
  /** Indexed passages examined per checked passage (nearest by embedding). */
  candidates: number;
}

/**
 * Set from bench/uniqueness-calibration.ts on the golden corpus with the built-in static
 * embedder (figures in docs/knowledge.md). Another embedder needs its own calibration run.
 */
export const DEFAULT_UNIQUENESS: UniquenessThresholds = {
  semanticSimilarity: 0.8,
  lexicalOverlap: 0.35,
  verbatimMinWords: 12,
  minPassageWords: 30,
  candidates: 3,
};

export interface MatchedPassage {
  documentId: string;
  documentTitle: string;
  section: string;
  start: number;
  end: number;
}

export interface UniquenessFinding {
  kind: "verbatim" | "semantic";
  /** Offsets in the checked markdown. */
  start: number;
  end: number;
  /** The indexed passage it duplicates (for verbatim: the exact copied span). */
  source: MatchedPassage;
  /** Cosine similarity and rare-word overlap, for semantic findings. */
  similarity?: number;
  overlap?: number;
  /** Length of the shared run, for verbatim findings. */
  words?: number;
  message: string;
}

export interface UniquenessReport {
  unique: boolean;
  findings: UniquenessFinding[];
  thresholds: UniquenessThresholds;
  /** Passages compared semantically. */
  passagesChecked: number;
}

export interface NearestPassage extends MatchedPassage {
  key: number;
  similarity: number;
}

export interface UniquenessSources {
  shingles: ShingleIndex;
  /** Embeds masked passages (passage side, no query prefix). */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** The indexed passages nearest to a vector, outside the excluded documents, best first. */
  nearest(vector: Float32Array, k: number, exclude: ReadonlySet<string>): Promise<NearestPassage[]>;
  /** Rare-word overlap of a masked candidate passage's words with the indexed passage `key`. */
  overlap(words: ReadonlySet<string>, key: number): number;
  /** Title and section of an indexed document's span, for verbatim findings. */
  describe(documentId: string, start: number, end: number): Promise<MatchedPassage>;
}

/** One passage's best semantic match, flagged or not (the calibration reads these). */
export interface PassageScore {
  start: number;
  end: number;
  match: NearestPassage | undefined;
  overlap: number;
  flagged: boolean;
  /** Every examined match with its overlap, nearest first. */
  candidates: { match: NearestPassage; overlap: number }[];
}

export async function scorePassages(
  markdown: string,
  sources: UniquenessSources,
  thresholds: UniquenessThresholds,
  exclude: ReadonlySet<string>,
  chunking?: ChunkOptions,
): Promise<PassageScore[]> {
  const { masked } = maskQuotations(markdown);
  const passages = chunkMarkdown(markdown, chunking)
    .map((p) => ({ start: p.start, end: p.end, maskedText: masked.slice(p.start, p.end) }))
    .filter((p) => countWords(p.maskedText) >= thresholds.minPassageWords);
  const vectors = passages.length > 0 ? await sources.embed(passages.map((p) => p.maskedText)) : [];
  const scores: PassageScore[] = [];
  for (let i = 0; i < passages.length; i++) {
    const passage = passages[i]!;
    const words = wordSet(passage.maskedText);
    const candidates: PassageScore["candidates"] = [];
    let best: PassageScore = { start: passage.start, end: passage.end, match: undefined, overlap: 0, flagged: false, candidates };
    for (const match of await sources.nearest(vectors[i]!, thresholds.candidates, exclude)) {
      const overlap = sources.overlap(words, match.key);
      candidates.push({ match, overlap });
      const flagged = match.similarity >= thresholds.semanticSimilarity && overlap >= thresholds.lexicalOverlap;
      // Prefer a flagged match; among equals, the higher combined evidence.
      if (!best.match || (flagged && !best.flagged) || (flagged === best.flagged && match.similarity + overlap > best.match.similarity + best.overlap)) {
        best = { start: passage.start, end: passage.end, match, overlap, flagged, candidates };
      }
    }
    scores.push(best);
  }
  return scores;
}

export async function findNearDuplicates(
  markdown: string,
  sources: UniquenessSources,
  options: { exclude?: ReadonlySet<string>; thresholds?: Partial<UniquenessThresholds>; chunking?: ChunkOptions } = {},
): Promise<UniquenessReport> {
  const thresholds = { ...DEFAULT_UNIQUENESS, ...options.thresholds };
  const exclude = options.exclude ?? new Set<string>();
  const { masked } = maskQuotations(markdown);
  const findings: UniquenessFinding[] = [];

  for (const overlap of sources.shingles.overlaps(masked, { minWords: thresholds.verbatimMinWords, exclude })) {
    const source = await sources.describe(overlap.documentId, overlap.sourceStart, overlap.sourceEnd);
    findings.push({
      kind: "verbatim",
      start: overlap.start,
      end: overlap.end,
      source,
      words: overlap.words,
      message: `${overlap.words} words copied verbatim from "${source.documentTitle}"${source.section ? `, ${source.section}` : ""}`,
    });
  }

  const scores = await scorePassages(markdown, sources, thresholds, exclude, options.chunking);
  for (const score of scores) {
    if (!score.flagged || !score.match) continue;
    const { key: _key, similarity, ...source } = score.match;
    // A passage already reported as copied verbatim from the same document needs no second finding.
    if (findings.some((f) => f.kind === "verbatim" && f.start < score.end && score.start < f.end && f.source.documentId === source.documentId)) continue;
    findings.push({
      kind: "semantic",
      start: score.start,
      end: score.end,
      source,
      similarity,
      overlap: score.overlap,
      message:
        `passage closely paraphrases "${source.documentTitle}"${source.section ? `, ${source.section}` : ""} ` +
        `(similarity ${similarity.toFixed(3)}, rare-word overlap ${score.overlap.toFixed(2)})`,
    });
  }
  findings.sort((a, b) => a.start - b.start);
  return { unique: findings.length === 0, findings, thresholds, passagesChecked: scores.length };
}
