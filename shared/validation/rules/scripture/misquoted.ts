// scripture/misquoted (warning): a quotation given with a Scripture reference whose words do not
// match the cited verse(s) in any loaded translation; when they match another verse, the
// suggestion names it. Psalms are compared in both numberings (and a verse or two either side,
// for titles counted as verses), since writers follow the Septuagint or the Hebrew.
import type { IssueDraft, OpusDocument, ValidationContext, Validator } from "../../types.ts";
import type { SourceLookup } from "../../quotation/lookup.ts";
import { DEFAULT_VERIFICATION, verifyQuotations, type VerificationOptions } from "../../quotation/verify.ts";

export function createScriptureQuoteRule(lookup: SourceLookup): Validator {
  return {
    id: "scripture/misquoted",
    description: "Quoted words do not match the cited verse(s) in the loaded translations.",
    severity: "warning",
    dimension: "citations",
    priority: 72,
    places: ["edge", "gpu"],
    defaults: { threshold: DEFAULT_VERIFICATION.threshold, minWords: DEFAULT_VERIFICATION.minWords, candidates: DEFAULT_VERIFICATION.candidates },
    async validate(doc: OpusDocument, ctx: ValidationContext): Promise<IssueDraft[]> {
      const o = ctx.options as Partial<VerificationOptions>;
      const checks = await verifyQuotations(doc, lookup, {
        ...(typeof o.threshold === "number" ? { threshold: o.threshold } : {}),
        ...(typeof o.minWords === "number" ? { minWords: o.minWords } : {}),
        ...(typeof o.candidates === "number" ? { candidates: o.candidates } : {}),
      });
      const out: IssueDraft[] = [];
      for (const c of checks) {
        if (c.kind !== "scripture" || c.status !== "misquoted") continue;
        const cited = c.attributedRefs.join("; ");
        const translations = [...new Set((c.verses ?? []).map((v) => v.translation))].join(", ");
        const draft: IssueDraft = { start: c.start, end: c.end, message: `The quoted words do not match ${cited} in the loaded translation${translations.includes(",") ? "s" : ""} (${translations}).` };
        if (c.matches && c.matches.length > 0) {
          const first = c.matches[0]!;
          const last = c.matches.at(-1)!;
          const range = c.matches.length === 1 ? first.reference : `${first.reference}-${last.reference.split(":").at(-1)}`;
          draft.suggestion = `These are the words of ${range}: cite ${range}.`;
        } else if (c.verses && c.verses.length > 0) {
          draft.suggestion = `${cited} reads: "${c.verses.map((v) => v.text).join(" ").slice(0, 200)}"`;
        }
        out.push(draft);
      }
      return out;
    },
  };
}
