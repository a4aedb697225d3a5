// The validators as the GPU node runs them on every entry: all rules that may run on the node
// ("gpu" place), plus any extra validators (the knowledge base's uniqueness check).
import { fixMarkdown, lintMarkdown, type ValidationConfig, type Validator } from "../shared/validation/index.ts";
import type { EntryValidator, ValidationReport } from "./pipeline/quality.ts";

export type ServerValidatorOptions = { config?: ValidationConfig; extraValidators?: readonly Validator[] };

export function createServerValidator(opts: ServerValidatorOptions = {}): EntryValidator {
  const options = (tier: "S" | "A" | "B") => ({ tier, place: "gpu" as const, config: opts.config, extraValidators: opts.extraValidators });
  return {
    async validate(markdown, tier): Promise<ValidationReport> {
      const report = await lintMarkdown(markdown, options(tier));
      // Only dimensions whose rules actually ran are scored.
      const ran = new Set(Object.values(report.byRule).map((r) => r.dimension));
      const dimensions: ValidationReport["dimensions"] = {};
      for (const [dim, value] of Object.entries(report.dimensions)) if (ran.has(dim as never)) dimensions[dim as keyof typeof dimensions] = value;
      return {
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
