// The validators as the GPU node runs them on every entry: all rules that may run on the node
// ("gpu" place), plus any extra validators (the knowledge base's uniqueness check).
import type { Tier } from "../shared/api/tier.ts";
import { fixMarkdown, lintMarkdown, parseDocument, type ValidationConfig, type Validator } from "../shared/validation/index.ts";
import type { EntryValidator, ValidationReport } from "./pipeline/quality.ts";
import type { WorkCatalog } from "../shared/validation/patristic/catalog.ts";
import { sourceValidators, verifyQuotations, type SourceLookup } from "../shared/validation/quotation/index.ts";

export type ServerValidatorOptions = {
  config?: ValidationConfig;
  extraValidators?: readonly Validator[];
  /** Scripture and patristic citations an entry should carry per 1,000 words (default 2). */
  citationsPerThousandWords?: number;
  /**
   * The sources library (gpu-node/sources): its quotation rules run, prose citations resolve
   * against its titles too, and the report lists every quotation checked.
   */
  sources?: { lookup: SourceLookup; catalog: WorkCatalog };
};

/**
 * The validators judge the citations an entry makes; an entry that makes none has nothing wrong
 * with its citations, yet is no encyclopedia entry. Its citations dimension is therefore also
 * capped by how densely it cites, against a floor per 1,000 words.
 */
function citationDensity(doc: ReturnType<typeof parseDocument>, perThousand: number, verified: number): { score: number; note: string } {
  // A quotation verified against the sources counts as a citation too.
  const count = doc.scripture.length + doc.patristic.length + verified;
  const expected = Math.max(1, (doc.wordCount / 1000) * perThousand);
  return {
    score: Math.min(1, count / expected),
    note: `cites ${doc.scripture.length} Scripture passage(s) and ${doc.patristic.length} patristic work(s)${verified > 0 ? ` and quotes ${verified} verified passage(s)` : ""} in ${doc.wordCount} words (expected at least ${perThousand} per 1,000 words)`,
  };
}

export function createServerValidator(opts: ServerValidatorOptions = {}): EntryValidator {
  const sourceRules = opts.sources ? sourceValidators(opts.sources.lookup) : [];
  const options = (tier: Tier) => ({ tier, place: "gpu" as const, config: opts.config, extraValidators: [...(opts.extraValidators ?? []), ...sourceRules] });
  return {
    async validate(markdown, tier): Promise<ValidationReport> {
      const doc = parseDocument(markdown, opts.sources ? { catalog: opts.sources.catalog } : {});
      const report = await lintMarkdown(doc, options(tier));
      const quotations = opts.sources ? await verifyQuotations(doc, opts.sources.lookup) : undefined;
      // Only dimensions whose rules actually ran are scored.
      const ran = new Set(Object.values(report.byRule).map((r) => r.dimension));
      const dimensions: ValidationReport["dimensions"] = {};
      for (const [dim, value] of Object.entries(report.dimensions)) if (ran.has(dim as never)) dimensions[dim as keyof typeof dimensions] = value;
      const density = citationDensity(doc, opts.citationsPerThousandWords ?? 2, (quotations ?? []).filter((q) => q.status === "verified").length);
      const notes: string[] = [];
      if (density.score < 1) notes.push(density.note);
      dimensions.citations = Math.min(dimensions.citations ?? 1, density.score);
      return {
        notes,
        issues: report.issues.map((i) => ({ rule: i.rule, severity: i.severity, message: i.message, start: i.start, end: i.end, suggestion: i.suggestion })),
        dimensions,
        ...(quotations ? { quotations } : {}),
      };
    },
    async fix(markdown, tier) {
      const result = await fixMarkdown(markdown, options(tier));
      return { markdown: result.markdown, fixed: Object.values(result.fixed).reduce((a, b) => a + b, 0) };
    },
  };
}
