// The quotation checks' public entry: rules that take a library (SourceLookup), the catalog that
// lets prose citations name the library's works, and the verification an entry's JSON carries.
import type { Validator } from "../types.ts";
import { libraryCatalog, type WorkCatalog } from "../patristic/catalog.ts";
import type { SourceLookup } from "./lookup.ts";
import { createQuotationRules } from "../rules/citation/quotes.ts";
import { createScriptureQuoteRule } from "../rules/scripture/misquoted.ts";

export type * from "./lookup.ts";
export { nearly, prepareQuote, type NearlyResult } from "./nearly.ts";
export { tokenize, matchTokens, indexText, NORMALIZER_VERSION, STOPWORDS } from "./normalize.ts";
export { attributedQuotations, authorRefName, type AttributedQuotation, type Attribution } from "./attribution.ts";
export { verifyQuotations, DEFAULT_VERIFICATION, type QuotationCheck, type VerificationOptions, type PassageRecord, type VerseRecord } from "./verify.ts";
export { createQuotationRules, createScriptureQuoteRule };

/** The four rules that need a library: citation/quote-verified, -misattributed, -unverified, scripture/misquoted. */
export function sourceValidators(lookup: SourceLookup): Validator[] {
  return [...createQuotationRules(lookup), createScriptureQuoteRule(lookup)];
}

/** The citation index extended by the library's titles, for parsing documents (parseDocument's `catalog`). */
export async function sourceCatalog(lookup: SourceLookup): Promise<WorkCatalog> {
  return libraryCatalog(await lookup.titles());
}
