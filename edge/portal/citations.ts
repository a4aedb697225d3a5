// The citations found in an entry, for the entry page: every quotation with the reference that
// follows it in its paragraph and, when the report has checked it against the library of sources
// (citation/quote-* on the GPU node, scripture/misquoted), the verdict; and every Scripture and
// patristic reference with the issues raised on it.
import type { OpusDocument, Severity } from "../../shared/validation/types.ts";
import type { MarkedIssue } from "./annotate.ts";

export type QuoteCheck = "verified" | "unverified" | "misattributed" | "misquoted" | "not checked";

const checkRules: Record<string, QuoteCheck> = {
  "citation/quote-verified": "verified",
  "citation/quote-unverified": "unverified",
  "citation/quote-misattributed": "misattributed",
  "scripture/misquoted": "misquoted",
};
/** When several checks touch one quotation, the most serious wins. */
const checkRank: Record<QuoteCheck, number> = { "not checked": 0, verified: 1, unverified: 2, misquoted: 3, misattributed: 4 };

export type QuotationRow = { text: string; start: number; reference: string | null; check: QuoteCheck; detail: string | null; issue: number | null };
export type ReferenceRow = { kind: "Scripture" | "Father"; text: string; resolved: string; start: number; issues: { n: number; severity: Severity; rule: string }[] };
export type CitationView = { quotations: QuotationRow[]; references: ReferenceRow[]; checked: boolean };

const overlaps = (a: { start: number; end: number }, b: { start: number; end: number }) => a.start < b.end && b.start < a.end;
const short = (text: string, max = 110) => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`);

export function citationsOf(doc: OpusDocument, issues: readonly MarkedIssue[]): CitationView {
  const checks = issues.filter((i) => checkRules[i.rule]);
  const refs = [
    ...doc.scripture.map((r) => ({
      kind: "Scripture" as const,
      text: r.text,
      start: r.start,
      end: r.end,
      resolved: r.unknownBook ? "unknown book" : `${r.book} ${r.chapter}${r.verse ? `:${r.verse}` : ""}${r.endVerse ? `-${r.endChapter && r.endChapter !== r.chapter ? `${r.endChapter}:` : ""}${r.endVerse}` : ""}`,
    })),
    ...doc.patristic.map((p) => ({
      kind: "Father" as const,
      text: doc.text.slice(p.start, p.end),
      start: p.start,
      end: p.end,
      resolved: p.workIds.length > 0 ? `${p.workIds.join(", ")}${p.locator ? ` ${p.locator}` : ""}` : p.generic ? "generic title" : "work not in the index",
    })),
  ].sort((a, b) => a.start - b.start);

  const citationIssues = issues.filter((i) => i.dimension === "citations" && !checkRules[i.rule]);
  const references: ReferenceRow[] = refs.map((r) => ({
    kind: r.kind,
    text: r.text,
    resolved: r.resolved,
    start: r.start,
    issues: citationIssues.filter((i) => overlaps(i, r) || (i.start === i.end && i.start >= r.start && i.start <= r.end)).map((i) => ({ n: i.n, severity: i.severity, rule: i.rule })),
  }));

  // The paragraph of each quotation bounds the search for its reference.
  const paragraphEnd = (offset: number) => doc.paragraphs.find((p) => p.start <= offset && offset < p.end)?.end ?? offset;
  let r = 0;
  const quotations: QuotationRow[] = doc.quotations.map((q) => {
    while (r < refs.length && refs[r]!.start < q.end) r++;
    const next = refs[r];
    const reference = next && next.start < paragraphEnd(q.start) ? next.text : null;
    let check: QuoteCheck = "not checked";
    let detail: string | null = null;
    let issue: number | null = null;
    for (const i of checks) {
      if (!overlaps(i, q)) continue;
      const verdict = checkRules[i.rule]!;
      if (checkRank[verdict] > checkRank[check]) {
        check = verdict;
        detail = i.message;
        issue = i.n;
      }
    }
    return { text: short(q.text), start: q.start, reference, check, detail, issue };
  });
  return { quotations, references, checked: checks.length > 0 };
}
