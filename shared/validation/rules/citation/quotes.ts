// citation/quote-verified (info), citation/quote-misattributed (error), citation/quote-unverified
// (warning): each quotation credited to a Father or council, checked against a library of primary
// sources (quotation/verify.ts). The rules take the library as a SourceLookup, so they run wherever
// one is supplied: on the GPU node (its libSQL library) and in `opus lint --sources`.
import type { IssueDraft, OpusDocument, ValidationContext, Validator } from "../../types.ts";
import type { SourceLookup } from "../../quotation/lookup.ts";
import { authorRefName, DEFAULT_VERIFICATION, verifyQuotations, type QuotationCheck, type VerificationOptions } from "../../quotation/verify.ts";

const short = (text: string, max = 90): string => {
  const t = text.replace(/\s+/g, " ").trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
};

function optionsOf(ctx: ValidationContext): Partial<VerificationOptions> {
  const o = ctx.options as Partial<VerificationOptions>;
  return { ...(typeof o.threshold === "number" ? { threshold: o.threshold } : {}), ...(typeof o.minWords === "number" ? { minWords: o.minWords } : {}), ...(typeof o.candidates === "number" ? { candidates: o.candidates } : {}) };
}

function rule(
  lookup: SourceLookup,
  spec: Pick<Validator, "id" | "description" | "severity" | "priority">,
  pick: (check: QuotationCheck) => IssueDraft | null,
): Validator {
  return {
    ...spec,
    dimension: "citations",
    places: ["edge", "gpu"],
    defaults: { threshold: DEFAULT_VERIFICATION.threshold, minWords: DEFAULT_VERIFICATION.minWords, candidates: DEFAULT_VERIFICATION.candidates },
    async validate(doc: OpusDocument, ctx: ValidationContext): Promise<IssueDraft[]> {
      const checks = await verifyQuotations(doc, lookup, optionsOf(ctx));
      return checks.filter((c) => c.kind === "patristic").map(pick).filter((d): d is IssueDraft => d !== null);
    },
  };
}

export function createQuotationRules(lookup: SourceLookup): Validator[] {
  return [
    rule(
      lookup,
      { id: "citation/quote-verified", description: "A quotation of a Father or council is found in his works in the library.", severity: "info", priority: 85 },
      (c) =>
        c.status === "verified" && c.passage
          ? { start: c.start, end: c.end, message: `Verified: ${c.passage.citation}${c.passage.sourceUrl ? ` (${c.passage.sourceUrl})` : ""}.` }
          : null,
    ),
    rule(
      lookup,
      { id: "citation/quote-misattributed", description: "A quotation credited to one Father or council is found, verbatim or nearly, under another.", severity: "error", priority: 84 },
      (c) =>
        c.status === "misattributed" && c.passage
          ? {
              start: c.start,
              end: c.end,
              message: `"${short(c.quote, 60)}" is not ${c.attributedTo}'s: it is in ${c.passage.citation}.`,
              suggestion: `Attribute it to ${authorRefName(c.passage.authorRef)}: "${c.passage.citation}"${c.passage.sourceUrl ? ` (${c.passage.sourceUrl})` : ""}; or quote ${c.attributedTo}'s own words.`,
            }
          : null,
    ),
    rule(
      lookup,
      { id: "citation/quote-unverified", description: "A quotation credited to a Father or council is not found in his works in the library.", severity: "warning", priority: 86 },
      (c) =>
        c.status === "unverified"
          ? {
              start: c.start,
              end: c.end,
              message: c.closest
                ? `Not found in the works of ${c.attributedTo} in the library; the closest passage is ${c.closest.citation}: "${short(c.closest.excerpt)}" (nearly ${c.score.toFixed(2)}).`
                : `Not found in the works of ${c.attributedTo} in the library, and no passage comes close.`,
              suggestion: "Quote the translation's words exactly (mark omissions with an ellipsis), or paraphrase without quotation marks.",
            }
          : null,
    ),
  ];
}
