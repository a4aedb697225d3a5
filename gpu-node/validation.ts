// The validators as the GPU node runs them on every entry: all rules that may run on the node
// ("gpu" place), plus any extra validators (the knowledge base's uniqueness check).
import { fixMarkdown, lintMarkdown, parseDocument, type ValidationConfig, type Validator } from "../shared/validation/index.ts";
import type { EntryValidator, ValidationReport } from "./pipeline/quality.ts";

export type ServerValidatorOptions = {
  config?: ValidationConfig;
  extraValidators?: readonly Validator[];
  /** Scripture and patristic citations an entry should carry per 1,000 words (default 2). */
  citationsPerThousandWords?: number;
};

/**
 * The validators judge the citations an entry makes; an entry that makes none has nothing wrong
 * with its citations, yet is no encyclopedia entry. Its citations dimension is therefore also
 * capped by how densely it cites, against a floor per 1,000 words.
 */
function citationDensity(markdown: string, perThousand: number): { score: number; note: string } {
  const doc = parseDocument(markdown);
  const count = doc.scripture.length + doc.patristic.length;
  const expected = Math.max(1, (doc.wordCount / 1000) * perThousand);
  return {
    score: Math.min(1, count / expected),
    note: `cites ${doc.scripture.length} Scripture passage(s) and ${doc.patristic.length} patristic work(s) in ${doc.wordCount} words (expected at least ${perThousand} per 1,000 words)`,
  };
}

export function createServerValidator(opts: ServerValidatorOptions = {}): EntryValidator {
  const options = (tier: "S" | "A" | "B") => ({ tier, place: "gpu" as const, config: opts.config, extraValidators: opts.extraValidators });
  return {
    async validate(markdown, tier): Promise<ValidationReport> {
      const report = await lintMarkdown(markdown, options(tier));
      // Only dimensions whose rules actually ran are scored.
      const ran = new Set(Object.values(report.byRule).map((r) => r.dimension));
      const dimensions: ValidationReport["dimensions"] = {};
      for (const [dim, value] of Object.entries(report.dimensions)) if (ran.has(dim as never)) dimensions[dim as keyof typeof dimensions] = value;
      const density = citationDensity(markdown, opts.citationsPerThousandWords ?? 2);
      const notes: string[] = [];
      if (density.score < 1) notes.push(density.note);
      dimensions.citations = Math.min(dimensions.citations ?? 1, density.score);
      return {
        notes,
        issues: report.issues.map((i) => ({ rule: i.rule, severity: i.severity, message: i.message, start: i.start, end: i.end, suggestion: i.suggestion })),
        dimensions,
      };
    },
    async fix(markdown, tier) {
      const result = await fixMarkdown(markdown, options(tier));
      return { markdown: result.markdown, fixed: Object.values(result.fixed).reduce((a, b) => a + b, 0) };
    },
  };
}
