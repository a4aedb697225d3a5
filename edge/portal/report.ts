// The validation report the entry page shows for one revision, with every issue's exact span and the
// dimension it counts against:
// - the edge's validators, run on the revision's own text (the same code and options as the edge's
//   check of finished entries), unless the stored report already carries spans for every issue;
// - plus the issues only the GPU node's validators find (quotations checked against sources,
//   near-duplicates), from the node's report, when the text is the node's (not a hand edit, whose
//   offsets moved).
// The per-dimension scores are computed over exactly these issues (shared/validation/score.ts), so the
// page's figures and its marks agree. Reports are kept per revision for a while: revisions never change.
import { lintMarkdown, parseDocument, scoreReport, BUILTIN_VALIDATORS, DIMENSIONS } from "../../shared/validation/index.ts";
import type { Dimension, OpusDocument, Severity, Tier } from "../../shared/validation/types.ts";
import { numberIssues, type MarkedIssue } from "./annotate.ts";

export type ShownReport = {
  issues: MarkedIssue[];
  score: number;
  dimensions: Record<Dimension, number>;
  /** Issues per dimension and severity. */
  counts: Record<Dimension, Record<Severity, number>>;
  /** The dimensions that were checked (uniqueness only on the GPU node). */
  ran: Dimension[];
  wordCount: number;
};

const severities: readonly Severity[] = ["info", "warning", "error", "critical"];
const isSeverity = (s: unknown): s is Severity => typeof s === "string" && (severities as readonly string[]).includes(s);

const builtinDimension = new Map(BUILTIN_VALIDATORS.map((v) => [v.id, v.dimension]));
const familyDimension: Record<string, Dimension> = {
  style: "style",
  structure: "structure",
  scripture: "citations",
  patristic: "citations",
  citation: "citations",
  doctrine: "doctrine",
  uniqueness: "uniqueness",
};

/** The dimension a rule's issues count against (a family such as `doctrine/<name>` counts as its validator). */
export function dimensionOf(rule: string): Dimension | undefined {
  const known = builtinDimension.get(rule) ?? builtinDimension.get(rule.split("/")[0]!);
  return known ?? familyDimension[rule.split("/")[0]!];
}

type StoredIssue = { rule?: unknown; severity?: unknown; message?: unknown; suggestion?: unknown; start?: unknown; end?: unknown; dimension?: unknown };

/** A stored issue as a shown one, if it carries everything needed to place it. */
function fromStored(i: StoredIssue, source: MarkedIssue["source"], textLength: number): Omit<MarkedIssue, "n"> | undefined {
  if (typeof i.rule !== "string" || !isSeverity(i.severity) || typeof i.message !== "string") return undefined;
  if (typeof i.start !== "number" || typeof i.end !== "number" || i.start < 0 || i.end < i.start || i.end > textLength) return undefined;
  const dimension = (DIMENSIONS as readonly unknown[]).includes(i.dimension) ? (i.dimension as Dimension) : dimensionOf(i.rule);
  if (!dimension) return undefined;
  return { rule: i.rule, severity: i.severity, dimension, message: i.message, ...(typeof i.suggestion === "string" ? { suggestion: i.suggestion } : {}), start: i.start, end: i.end, source };
}

export type ReportInput = {
  /** Cache key: revisions never change, so entry id + revision number names one text. */
  key: string;
  markdown: string;
  tier: Tier;
  metadata: Record<string, unknown>;
  /** A hand edit: the node's offsets no longer apply to this text. */
  handEdited: boolean;
};

/** The parsed text (what the page renders) and its report. */
export type ShownText = { doc: OpusDocument; report: ShownReport };

const cache = new Map<string, Promise<ShownText>>();
const cacheSize = 16;

export function shownReport(input: ReportInput): Promise<ShownText> {
  const hit = cache.get(input.key);
  if (hit) {
    cache.delete(input.key);
    cache.set(input.key, hit);
    return hit;
  }
  const made = buildReport(input);
  cache.set(input.key, made);
  made.catch(() => cache.delete(input.key));
  if (cache.size > cacheSize) cache.delete(cache.keys().next().value!);
  return made;
}

async function buildReport(input: ReportInput): Promise<ShownText> {
  const { markdown, metadata } = input;
  // Parsed once: the validators and the page read the same document.
  const doc = parseDocument(markdown);
  const edge = await edgeIssues(doc, input.tier);
  const edgeRules = new Set(edge.issues.map((i) => i.rule));
  const nodeOnly: Omit<MarkedIssue, "n">[] = [];
  if (!input.handEdited && Array.isArray(metadata.issues)) {
    for (const raw of metadata.issues as StoredIssue[]) {
      const issue = fromStored(raw, "node", markdown.length);
      // Rules the edge also runs are already counted from the edge's own run on this text.
      const family = issue?.rule.split("/")[0] ?? "";
      if (issue && !edge.ranRules.has(issue.rule) && !edge.ranRules.has(family) && !edgeRules.has(issue.rule)) nodeOnly.push(issue);
    }
  }
  const issues = numberIssues([...edge.issues, ...nodeOnly]);
  const ran = new Set<Dimension>(edge.ran);
  for (const i of nodeOnly) ran.add(i.dimension);
  const { score, dimensions } = scoreReport(
    issues.map((i) => ({ ...i, line: 0, column: 0, endLine: 0, endColumn: 0, fixable: false })),
    edge.wordCount,
    ran,
  );
  const counts = Object.fromEntries(DIMENSIONS.map((d) => [d, { info: 0, warning: 0, error: 0, critical: 0 }])) as ShownReport["counts"];
  for (const i of issues) counts[i.dimension][i.severity]++;
  return { doc, report: { issues, score, dimensions, counts, ran: DIMENSIONS.filter((d) => ran.has(d)), wordCount: edge.wordCount } };
}

async function edgeIssues(doc: OpusDocument, tier: Tier): Promise<{ issues: Omit<MarkedIssue, "n">[]; ran: Dimension[]; ranRules: Set<string>; wordCount: number }> {
  const report = await lintMarkdown(doc, { tier, place: "edge" });
  const issues = report.issues.map(({ rule, severity, dimension, message, suggestion, start, end }) => ({
    rule,
    severity,
    dimension,
    message,
    ...(suggestion ? { suggestion } : {}),
    start,
    end,
    source: "edge" as const,
  }));
  const ranRules = new Set(Object.keys(report.byRule));
  const ran = DIMENSIONS.filter((d) => BUILTIN_VALIDATORS.some((v) => v.dimension === d));
  return { issues, ran, ranRules, wordCount: report.wordCount };
}
