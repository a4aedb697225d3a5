// Issue placement on a long real entry (the golden corpus past 13,000 words, with faults put in, and
// the edge's real lint report over it): the runs of every block rebuild its text exactly, every
// issue gets exactly one marker, and the characters marked for an issue are exactly its span.
import { describe, expect, it } from "vitest";
import { assignMarkers, coveringPerBlock, numberIssues, pieces, splitWide, type BlockSpan, type MarkedIssue } from "../../edge/portal/annotate.ts";
import { shownReport } from "../../edge/portal/report.ts";
import { goldenFiles, goldenReviewEntry } from "../support/review-entries.ts";

describe("placing issues on the text", async () => {
  const entry = goldenReviewEntry({ files: goldenFiles, minWords: 13_000, flaws: true, flawEvery: 1 });
  const { doc, report } = await shownReport({ key: "annotate-test", markdown: entry.markdown, tier: "S", metadata: entry.metadata, handEdited: false });
  const blocks: BlockSpan[] = [...doc.headings.map((h) => ({ start: h.titleStart, end: h.end })), ...doc.paragraphs.map((p) => ({ start: p.contentStart, end: p.end }))].sort(
    (a, b) => a.start - b.start,
  );
  const covering = coveringPerBlock(blocks, report.issues);
  const markers = assignMarkers(blocks, report.issues);
  const all = blocks.map((block, b) => pieces(doc.text, block, covering[b]!, markers[b]!));

  it("has a long entry with hundreds of issues, numbered in document order", () => {
    expect(entry.words).toBeGreaterThanOrEqual(13_000);
    expect(report.issues.length).toBeGreaterThan(200);
    expect(report.issues.map((i) => i.n)).toEqual(report.issues.map((_, i) => i + 1));
    for (let i = 1; i < report.issues.length; i++) expect(report.issues[i]!.start).toBeGreaterThanOrEqual(report.issues[i - 1]!.start);
  });

  it("rebuilds every block's text exactly from its runs", () => {
    blocks.forEach((block, b) => {
      const text = all[b]!.map((p) => (p.kind === "run" ? p.run.text : "")).join("");
      expect(text).toBe(doc.text.slice(block.start, block.end));
    });
  });

  it("gives every issue exactly one marker, after the end of its span or where it starts between blocks", () => {
    const refs = all.flat().flatMap((p) => (p.kind === "ref" ? [p.issue.n] : []));
    expect([...refs].sort((a, b) => a - b)).toEqual(report.issues.map((i) => i.n));
  });

  it("marks exactly the characters of each issue's span that lie in the shown blocks", () => {
    const marked = new Map<number, number>();
    blocks.forEach((block, b) => {
      let at = block.start;
      for (const p of all[b]!) {
        if (p.kind !== "run") continue;
        for (const i of p.run.issues) marked.set(i.n, (marked.get(i.n) ?? 0) + p.run.text.length);
        at += p.run.text.length;
      }
      expect(at).toBe(block.end);
    });
    for (const issue of report.issues) {
      const shown = blocks.reduce((n, block) => n + Math.max(0, Math.min(issue.end, block.end) - Math.max(issue.start, block.start)), 0);
      expect(marked.get(issue.n) ?? 0, `${issue.rule} at ${issue.start}`).toBe(shown);
    }
  });

  it("tells whole-block issues from the rest, and nests overlapping issues", () => {
    const issue = (n: number, start: number, end: number): MarkedIssue => ({ n, rule: "r", severity: "warning", dimension: "style", message: "m", start, end, source: "edge" });
    const block = { start: 10, end: 30 };
    const outer = issue(1, 12, 25);
    const inner = issue(2, 15, 18);
    const whole = issue(3, 0, 40);
    const empty = issue(4, 20, 20);
    const { wide, narrow } = splitWide(block, [outer, inner, whole]);
    expect(wide).toEqual([whole]);
    const list = pieces("x".repeat(10) + "abcdefghijklmnopqrst" + "y".repeat(10), block, narrow, numberIssues([outer, inner, empty]).map((i, k) => ({ ...i, n: [1, 2, 4][k]! })));
    expect(list.map((p) => (p.kind === "run" ? `${p.run.text}:${p.run.issues.map((i) => i.n).join("")}` : `#${p.issue.n}`))).toEqual([
      "ab:",
      "cde:1",
      "fgh:12",
      "#2",
      "ij:1",
      "#4",
      "klmno:1",
      "#1",
      "pqrst:",
    ]);
  });
});
