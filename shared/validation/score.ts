// Quality scores per dimension, for the quality gate. A dimension's score falls with the weighted
// count of its issues per 1,000 words, so a long entry is not punished for its length:
//   score = 1 / (1 + penalty / (5 * max(1, words / 1000)))
// with weights info 0, warning 1, error 3, critical 6. One error in a 10,000-word entry gives
// 0.94; six errors give 0.74. The overall score is the weighted mean of the dimensions that ran.
import type { Dimension, Issue, Severity } from "./types.ts";
import { DIMENSIONS } from "./types.ts";

export const SEVERITY_WEIGHT: Record<Severity, number> = { info: 0, warning: 1, error: 3, critical: 6 };
export const DIMENSION_WEIGHT: Record<Dimension, number> = { style: 0.2, structure: 0.25, citations: 0.3, doctrine: 0.25, uniqueness: 0.2 };

export function scoreReport(issues: readonly Issue[], wordCount: number, ran: ReadonlySet<Dimension>): { score: number; dimensions: Record<Dimension, number> } {
  const penalty: Record<Dimension, number> = { style: 0, structure: 0, citations: 0, doctrine: 0, uniqueness: 0 };
  for (const i of issues) penalty[i.dimension] += SEVERITY_WEIGHT[i.severity];
  const scale = 5 * Math.max(1, wordCount / 1000);
  const dimensions = {} as Record<Dimension, number>;
  let total = 0;
  let weights = 0;
  for (const d of DIMENSIONS) {
    dimensions[d] = round(1 / (1 + penalty[d] / scale));
    if (ran.has(d)) {
      total += dimensions[d] * DIMENSION_WEIGHT[d];
      weights += DIMENSION_WEIGHT[d];
    }
  }
  return { score: weights > 0 ? round(total / weights) : 1, dimensions };
}

const round = (x: number): number => Math.round(x * 10000) / 10000;
