// Quality scores per dimension, for the quality gate. A dimension's score falls with the weighted
// count of its issues per 1,000 words, so a long entry is not punished for its length:
//   score = 1 / (1 + penalty / (5 * max(1, words / 1000)))
// with weights info 0, warning 1, error 3, critical 6. One error in a 10,000-word entry gives
// 0.94; six errors give 0.74. The overall score is the weighted mean of the dimensions that ran.
// The citations dimension counts verified quotations (rule citation/quote-verified, reported when a
// library of sources is loaded): each one takes VERIFIED_CREDIT off the dimension's warnings, never
// off its errors, so checked quotations raise the score and cannot hide a misattribution.
import type { Dimension, Issue, Severity } from "./types.ts";
import { DIMENSIONS } from "./types.ts";

export const SEVERITY_WEIGHT: Record<Severity, number> = { info: 0, warning: 1, error: 3, critical: 6 };
/** The rule whose issues are verified quotations, and the warning weight each one offsets. */
export const VERIFIED_RULE = "citation/quote-verified";
export const VERIFIED_CREDIT = 0.5;
export const DIMENSION_WEIGHT: Record<Dimension, number> = { style: 0.2, structure: 0.25, citations: 0.3, doctrine: 0.25, uniqueness: 0.2 };

export function scoreReport(issues: readonly Issue[], wordCount: number, ran: ReadonlySet<Dimension>): { score: number; dimensions: Record<Dimension, number> } {
  const penalty: Record<Dimension, number> = { style: 0, structure: 0, citations: 0, doctrine: 0, uniqueness: 0 };
  let citationWarnings = 0;
  let verified = 0;
  for (const i of issues) {
    penalty[i.dimension] += SEVERITY_WEIGHT[i.severity];
    if (i.dimension === "citations" && i.severity === "warning") citationWarnings += SEVERITY_WEIGHT.warning;
    if (i.rule === VERIFIED_RULE) verified++;
  }
  penalty.citations -= Math.min(citationWarnings, verified * VERIFIED_CREDIT);
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
