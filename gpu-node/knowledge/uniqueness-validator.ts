// `uniqueness/near-duplicate` as a validator of the validation suite, run on the GPU node (it needs
// the vector index): every verbatim or semantic near-duplicate found by the knowledge base becomes
// an error on the copied span, naming the source passage.
import type { IssueDraft, OpusDocument, ValidationContext, Validator } from "../../shared/validation/types.ts";
import type { KnowledgeBase } from "./knowledge-base.ts";
import { DEFAULT_UNIQUENESS, type UniquenessThresholds } from "./uniqueness.ts";

export const UNIQUENESS_RULE = "uniqueness/near-duplicate";

export interface UniquenessValidatorOptions {
  /** Document ids never compared against (the entry itself, when it is already indexed). */
  excludeDocument?: string | readonly string[];
}

function thresholdsFrom(options: Readonly<Record<string, unknown>>): Partial<UniquenessThresholds> {
  const out: Partial<UniquenessThresholds> = {};
  for (const key of ["semanticSimilarity", "lexicalOverlap", "verbatimMinWords", "minPassageWords", "candidates"] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value)) throw new Error(`${UNIQUENESS_RULE}: option ${key} must be a number, got ${JSON.stringify(value)}`);
    out[key] = value;
  }
  return out;
}

export function createUniquenessValidator(kb: KnowledgeBase, options: UniquenessValidatorOptions = {}): Validator {
  return {
    id: UNIQUENESS_RULE,
    description: "The entry must not copy or closely paraphrase the golden corpus or earlier entries (quotations excepted).",
    severity: "error",
    dimension: "uniqueness",
    priority: 90,
    places: ["gpu"],
    defaults: { ...DEFAULT_UNIQUENESS },
    async validate(doc: OpusDocument, ctx: ValidationContext): Promise<IssueDraft[]> {
      const fromConfig = ctx.options.excludeDocument;
      const exclude = [
        ...(typeof options.excludeDocument === "string" ? [options.excludeDocument] : (options.excludeDocument ?? [])),
        ...(typeof fromConfig === "string" ? [fromConfig] : []),
      ];
      const report = await kb.checkUniqueness(doc.text, { excludeDocument: exclude, thresholds: thresholdsFrom(ctx.options) });
      return report.findings.map((f) => ({
        start: f.start,
        end: f.end,
        message: f.message,
        suggestion:
          f.kind === "verbatim"
            ? "Rewrite this passage in your own words, or quote it with attribution if it is a source."
            : `Rework this passage so it argues in its own way rather than following "${f.source.documentTitle}".`,
      }));
    },
  };
}
