// style/em-dash: the house style has no em or en dashes (nor "--" standing in for one).
// The fix writes "-" between numbers ("John 1:1-14") and a comma elsewhere.
import type { IssueDraft, OpusDocument, TextEdit, Validator } from "../../types.ts";

const DASH = /[ ]*(?:[\u2012\u2013\u2014\u2015]|(?<=[ \u00a0])--(?=[ \u00a0]))[ \u00a0]*/g;
const NAMES: Record<string, string> = { "\u2014": "em dash", "\u2013": "en dash", "\u2012": "figure dash", "\u2015": "horizontal bar", "-": "double hyphen" };

function replacement(text: string, start: number, end: number, lineStart: number, lineEnd: number): string {
  const before = text[start - 1] ?? "";
  const after = text[end] ?? "";
  if (/\d/.test(before) && /\d/.test(after)) return "-";
  const atStart = start <= lineStart || /[>(\[“"‘'*_\u00a0]/.test(before);
  const atEnd = end >= lineEnd || /[)\]”"’'*_]/.test(after);
  // At the start of a line's text keep the space after a "> " marker, drop the dash.
  if (atStart) return text[start] === " " && before === ">" ? " " : "";
  if (atEnd || /[,;:.!?]/.test(after)) return "";
  if (/[,;:.!?]/.test(before)) return " ";
  return ", ";
}

export const emDash: Validator = {
  id: "style/em-dash",
  description: "No em dashes or en dashes: use commas, colons, parentheses, or a hyphen in ranges.",
  severity: "critical",
  dimension: "style",
  priority: 10,
  places: ["edge", "gpu"],
  fixable: true,
  validate(doc: OpusDocument): IssueDraft[] {
    const out: IssueDraft[] = [];
    const text = doc.text;
    for (const block of doc.blocks) {
      if (block.kind === "code" || block.kind === "rule") continue;
      const chunk = block.text;
      if (!/[\u2012-\u2015]|--/.test(chunk)) continue;
      DASH.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = DASH.exec(chunk)) !== null) {
        const start = block.start + m.index;
        const end = start + m[0].length;
        const dash = m[0].trim().replace(/\u00a0/g, "");
        const dashStart = start + m[0].indexOf(dash[0]!);
        const line = doc.position(start).line - 1;
        const lineStart = doc.lineStarts[line]! + (block.kind === "paragraph" && line === block.startLine ? (block as { indent?: string }).indent?.length ?? 0 : 0);
        const lineEnd = doc.lineStarts[line]! + doc.lines[line]!.length;
        const ranged = /\d/.test(text[start - 1] ?? "") && /\d/.test(text[end] ?? "");
        const edit: TextEdit = { start, end, text: replacement(text, start, end, lineStart, lineEnd) };
        const name = NAMES[dash[0]!] ?? "dash";
        out.push({
          start: dashStart,
          end: dashStart + dash.length,
          message: ranged
            ? `An ${name} in a range: the house style writes ranges with a plain hyphen ("1:1-14").`
            : `An ${name}: the house style uses no dashes. Rewrite with a comma, a colon or parentheses.`,
          suggestion: ranged ? 'Use "-" between the numbers.' : edit.text === ", " ? 'Replace the dash with ", " or recast the sentence.' : "Remove the dash.",
          fix: { description: ranged ? "hyphen in range" : "replace the dash", edits: [edit] },
        });
      }
    }
    return out;
  },
};
