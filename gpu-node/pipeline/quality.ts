// The quality gate: a score per dimension, a weighted combined score, and the reasons an entry goes
// to human review instead of succeeding. It passes an entry when the combined score reaches the
// threshold, no dimension is below the floor, and no error or critical issue remains.
import type { Tier } from "../../shared/api/tier.ts";
import type { Severity } from "../../shared/validation/types.ts";
import type { QuotationCheck } from "../../shared/validation/quotation/verify.ts";
import type { PipelineConfig } from "./config.ts";
import { lengthScore } from "./length.ts";

export type { Severity };
export type QualityDimension = "length" | "style" | "structure" | "citations" | "doctrine" | "uniqueness";

export type ValidationIssue = { rule: string; severity: Severity; message: string; start: number; end: number; suggestion?: string };
export type ValidationReport = {
  issues: ValidationIssue[];
  /** 0..1 per dimension the validators measured. */
  dimensions: Partial<Record<Exclude<QualityDimension, "length">, number>>;
  /** Findings about the whole entry that are no single issue (e.g. how densely it cites). */
  notes?: string[];
  /** Every quotation checked against the sources library, when the node has one (gpu-node/sources). */
  quotations?: QuotationCheck[];
};

export interface EntryValidator {
  validate(markdown: string, tier: Tier): Promise<ValidationReport>;
  /** Applies every automatic fix, to a fixed point. */
  fix(markdown: string, tier: Tier): Promise<{ markdown: string; fixed: number }>;
}

export type LengthReport = { required: number; written: number; score: number; sections: { numeral: string; required: number; written: number; score: number }[] };

export type QualityReport = {
  dimensions: Partial<Record<QualityDimension, number>>;
  combined: number;
  threshold: number;
  passed: boolean;
  reasons: string[];
  length: LengthReport;
  issues: { errors: number; critical: number; warnings: number };
  /** Quotations checked against the sources library, by outcome (absent without a library). */
  quotations?: Record<QuotationCheck["status"], number> & { checked: number };
};

export function lengthReport(required: number, written: number, sections: { numeral: string; required: number; written: number }[]): LengthReport {
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    required,
    written,
    score: round(lengthScore(required, written)),
    sections: sections.map((s) => ({ ...s, score: round(lengthScore(s.required, s.written)) })),
  };
}

export function scoreQuality(length: LengthReport, validation: ValidationReport, config: PipelineConfig): QualityReport {
  const dimensions: Partial<Record<QualityDimension, number>> = {
    length: length.written >= length.required ? 1 : length.score / 100,
    ...validation.dimensions,
  };
  let weighted = 0;
  let weights = 0;
  for (const [dim, value] of Object.entries(dimensions) as [QualityDimension, number][]) {
    weighted += config.weights[dim] * value;
    weights += config.weights[dim];
  }
  const combined = weights > 0 ? weighted / weights : 0;
  const count = (sev: Severity) => validation.issues.filter((i) => i.severity === sev).length;
  const issues = { errors: count("error"), critical: count("critical"), warnings: count("warning") };
  const reasons: string[] = [];
  if (combined < config.qualityThreshold) reasons.push(`combined score ${combined.toFixed(3)} is below ${config.qualityThreshold}`);
  let belowFloor = 0;
  for (const [dim, value] of Object.entries(dimensions)) {
    if (value < config.dimensionFloor) {
      belowFloor++;
      reasons.push(`${dim} scored ${value.toFixed(3)}, below the floor of ${config.dimensionFloor} that every dimension must reach`);
    } else if (value < config.qualityThreshold) reasons.push(`${dim} scored ${value.toFixed(3)}`);
  }
  reasons.push(...(validation.notes ?? []));
  if (length.written < length.required) reasons.push(`${length.written} words, below the tier minimum of ${length.required}`);
  if (issues.critical > 0) reasons.push(`${issues.critical} critical issue(s) remain`);
  if (issues.errors > 0) reasons.push(`${issues.errors} error(s) remain`);
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return {
    dimensions: Object.fromEntries(Object.entries(dimensions).map(([k, v]) => [k, round(v)])),
    combined: round(combined),
    threshold: config.qualityThreshold,
    passed: combined >= config.qualityThreshold && belowFloor === 0 && issues.critical === 0 && issues.errors === 0 && length.written >= length.required,
    reasons,
    length,
    issues,
    ...(validation.quotations ? { quotations: quotationCounts(validation.quotations) } : {}),
  };
}

function quotationCounts(checks: readonly QuotationCheck[]): Record<QuotationCheck["status"], number> & { checked: number } {
  const counts = { checked: checks.length, verified: 0, misattributed: 0, unverified: 0, misquoted: 0, unchecked: 0 };
  for (const c of checks) counts[c.status]++;
  return counts;
}
