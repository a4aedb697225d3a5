// Places validation issues on the text they are about. The entry page renders the document block by
// block (headings and paragraphs, from the parsed document); this module cuts each block's text into
// runs at every issue boundary, so each run knows the issues covering it, and says where each issue's
// marker goes: at the end of its span, in the block where the span starts. An issue that starts
// between blocks (on a blank line, in a paragraph's indent) is marked at the start of the next block;
// one after the last block goes to the last. Pure and linear in blocks + issues (the issues arrive
// sorted), so a 13,000-word entry with hundreds of issues costs well under a millisecond.
import type { Dimension, Severity } from "../../shared/validation/types.ts";

export type MarkedIssue = {
  /** 1-based, in document order: the number shown on the marker and used in ids. */
  n: number;
  rule: string;
  severity: Severity;
  dimension: Dimension;
  message: string;
  suggestion?: string;
  start: number;
  end: number;
  /** Where the issue was found: the edge's validators (on this text) or the GPU node's report. */
  source: "edge" | "node";
};

/** A run of a block's text and the issues covering it (empty: plain text). */
export type Run = { text: string; issues: MarkedIssue[] };
/** A block's text as runs, with the issues whose markers follow each run. */
export type Piece = { kind: "run"; run: Run } | { kind: "ref"; issue: MarkedIssue };

export type BlockSpan = { start: number; end: number };

const rank: Record<Severity, number> = { info: 0, warning: 1, error: 2, critical: 3 };
export const worstSeverity = (issues: readonly { severity: Severity }[]): Severity | undefined =>
  issues.reduce<Severity | undefined>((worst, i) => (worst === undefined || rank[i.severity] > rank[worst] ? i.severity : worst), undefined);

/** Sorts issues into document order (then worst first) and numbers them. */
export function numberIssues(issues: Omit<MarkedIssue, "n">[]): MarkedIssue[] {
  return [...issues]
    .sort((a, b) => a.start - b.start || rank[b.severity] - rank[a.severity] || a.end - b.end || (a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0))
    .map((issue, i) => ({ ...issue, n: i + 1 }));
}

/**
 * For each block (sorted, non-overlapping), the issues whose marker goes in it: the first block that
 * ends after the issue starts, else the last block.
 */
export function assignMarkers(blocks: readonly BlockSpan[], issues: readonly MarkedIssue[]): MarkedIssue[][] {
  const owned: MarkedIssue[][] = blocks.map(() => []);
  if (blocks.length === 0) return owned;
  let b = 0;
  for (const issue of issues) {
    while (b < blocks.length - 1 && blocks[b]!.end <= issue.start) b++;
    owned[b]!.push(issue);
  }
  return owned;
}

/**
 * The text of `source` between `block.start` and `block.end` as pieces: runs covered by the issues
 * that overlap it (`covering`, any order), and the markers of `markers` (issues owned by this block)
 * placed at the end of their span, clipped to the block.
 */
export function pieces(source: string, block: BlockSpan, covering: readonly MarkedIssue[], markers: readonly MarkedIssue[]): Piece[] {
  const { start, end } = block;
  const clip = (x: number) => Math.min(end, Math.max(start, x));
  const cuts = new Set<number>([start, end]);
  const inside = covering.filter((i) => i.end > start && i.start < end && i.end > i.start);
  for (const i of inside) {
    cuts.add(clip(i.start));
    cuts.add(clip(i.end));
  }
  const refsAt = new Map<number, MarkedIssue[]>();
  for (const m of markers) {
    const at = clip(Math.max(m.end, m.start));
    cuts.add(at);
    const list = refsAt.get(at);
    if (list) list.push(m);
    else refsAt.set(at, [m]);
  }
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Piece[] = [];
  const pushRefs = (at: number) => {
    for (const issue of refsAt.get(at) ?? []) out.push({ kind: "ref", issue });
  };
  pushRefs(sorted[0]!);
  for (let k = 0; k + 1 < sorted.length; k++) {
    const a = sorted[k]!;
    const z = sorted[k + 1]!;
    out.push({ kind: "run", run: { text: source.slice(a, z), issues: inside.filter((i) => i.start <= a && i.end >= z) } });
    pushRefs(z);
  }
  return out;
}

/**
 * The issues overlapping each block (sorted blocks): a sweep over the issues sorted by start, so that
 * long issues spanning many blocks are found in each without a quadratic scan of short ones.
 */
export function coveringPerBlock(blocks: readonly BlockSpan[], issues: readonly MarkedIssue[]): MarkedIssue[][] {
  const out: MarkedIssue[][] = blocks.map(() => []);
  let next = 0;
  let open: MarkedIssue[] = [];
  blocks.forEach((block, b) => {
    while (next < issues.length && issues[next]!.start < block.end) open.push(issues[next++]!);
    open = open.filter((i) => i.end > block.start);
    out[b] = open.filter((i) => i.end > i.start && i.start < block.end);
  });
  return out;
}

/**
 * Splits the issues covering a block into those about the whole block (they cover all of its text:
 * shown on the block, not by underlining every word) and those about part of it.
 */
export function splitWide(block: BlockSpan, covering: readonly MarkedIssue[]): { wide: MarkedIssue[]; narrow: MarkedIssue[] } {
  const wide: MarkedIssue[] = [];
  const narrow: MarkedIssue[] = [];
  for (const i of covering) (i.start <= block.start && i.end >= block.end && block.end > block.start ? wide : narrow).push(i);
  return { wide, narrow };
}

