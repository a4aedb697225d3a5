// style/paragraph-indent: every prose paragraph starts with exactly four NO-BREAK SPACEs (U+00A0).
// Four ASCII spaces would make Markdown render the paragraph as a code block; NBSP keeps it a
// paragraph and shows the indent. Paragraphs are one line each, separated by a blank line.
import { paragraphIndent as INDENT } from "../../../text/house-style.ts";
import type { IssueDraft, OpusDocument, Validator } from "../../types.ts";

const INDENT_CHARS = /^[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+/;

function describe(indent: string): string {
  if (indent.length === 0) return "This paragraph is not indented";
  if (/^ +$/.test(indent)) return `This paragraph is indented with ${indent.length} ASCII space${indent.length === 1 ? "" : "s"}, which Markdown reads as ${indent.length >= 4 ? "a code block" : "no indent"}`;
  if (/\t/.test(indent)) return "This paragraph is indented with a tab";
  if (/^\u00a0+$/.test(indent)) return `This paragraph is indented with ${indent.length} no-break spaces instead of four`;
  return "This paragraph is indented with a mix of space characters";
}

export const paragraphIndent: Validator = {
  id: "style/paragraph-indent",
  description: "Every prose paragraph starts with exactly four no-break spaces (U+00A0) and stays on one line.",
  severity: "error",
  dimension: "style",
  priority: 20,
  places: ["edge", "gpu"],
  fixable: true,
  validate(doc: OpusDocument): IssueDraft[] {
    const out: IssueDraft[] = [];
    for (const p of doc.paragraphs) {
      if (p.kind !== "paragraph") continue;
      if (p.indent !== INDENT) {
        out.push({
          start: p.start,
          end: p.contentStart + Math.min(1, p.content.length),
          message: `${describe(p.indent)}; start it with exactly four no-break spaces (U+00A0).`,
          suggestion: "Indent with four U+00A0 characters.",
          fix: { description: "set the indent to four no-break spaces", edits: [{ start: p.start, end: p.contentStart, text: INDENT }] },
        });
      }
      // Lines after the first: either a new paragraph missing its blank line, or a hard wrap.
      for (let line = p.startLine + 1; line <= p.endLine; line++) {
        const lineStart = doc.lineStarts[line]!;
        const lineText = doc.lines[line]!;
        const indent = INDENT_CHARS.exec(lineText)?.[0] ?? "";
        if (indent.length > 0) {
          out.push({
            start: lineStart,
            end: lineStart + lineText.length,
            message: "A new paragraph starts without a blank line before it.",
            suggestion: "Separate paragraphs with one blank line.",
            severity: "warning",
            fix: { description: "insert a blank line", edits: [{ start: lineStart, end: lineStart, text: "\n" }] },
          });
        } else {
          const prevEnd = doc.lineStarts[line - 1]! + doc.lines[line - 1]!.length;
          out.push({
            start: lineStart,
            end: lineStart + lineText.length,
            message: "This paragraph is hard-wrapped; the house style keeps each paragraph on one line.",
            suggestion: "Join the lines with a space.",
            severity: "warning",
            fix: { description: "join the wrapped line", edits: [{ start: prevEnd, end: lineStart, text: " " }] },
          });
        }
      }
    }
    return out;
  },
};
