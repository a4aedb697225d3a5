// structure/truncated: the entry, a section, or a paragraph that stops mid-sentence, which is how a
// generation cut off by a token limit shows. A section with no text at all is reported too.
import type { IssueDraft, OpusDocument, Paragraph, Validator } from "../../types.ts";

/** Ends with sentence punctuation, optionally followed by closing quotes, brackets or emphasis. */
const COMPLETE = /[.!?…]["”’'\)\]*_]*$/;

function unbalanced(text: string): string | null {
  const straight = (text.match(/"/g) ?? []).length;
  const open = (text.match(/“/g) ?? []).length;
  const close = (text.match(/”/g) ?? []).length;
  if (straight % 2 === 1 || open > close) return "an unclosed quotation";
  let depth = 0;
  for (const ch of text) {
    if (ch === "(") depth++;
    else if (ch === ")") depth = Math.max(0, depth - 1);
  }
  if (depth > 0) return "an unclosed parenthesis";
  return null;
}

function lastWords(p: Paragraph): string {
  const words = p.content.trimEnd().slice(-200).split(/\s+/);
  return words.slice(-5).join(" ");
}

export const truncated: Validator = {
  id: "structure/truncated",
  description: "The entry, a section or a paragraph ends mid-sentence, or a section is empty.",
  severity: "error",
  dimension: "structure",
  priority: 55,
  places: ["edge", "gpu"],
  validate(doc: OpusDocument): IssueDraft[] {
    const out: IssueDraft[] = [];
    const lastOfSection = new Set<number>();
    const prose = (i: number): boolean => doc.paragraphs[i]!.kind === "paragraph";
    for (const s of doc.sections) {
      const last = [...s.paragraphs].reverse().find(prose);
      if (s.paragraphs.length === 0) {
        out.push({ start: s.heading.start, end: s.heading.end, message: `Section ${s.heading.numeral ?? `"${s.heading.title}"`} has no text.`, suggestion: "Write the section or remove its heading." });
      } else if (last !== undefined) lastOfSection.add(last);
    }
    let lastParagraph = doc.paragraphs.length - 1;
    while (lastParagraph >= 0 && !prose(lastParagraph)) lastParagraph--;
    const lastBlock = doc.blocks[doc.blocks.length - 1];
    if (lastBlock && (lastBlock.kind === "heading" || lastBlock.kind === "title") && doc.sections.length === 0) {
      out.push({ start: lastBlock.start, end: lastBlock.end, message: "The entry ends with a heading and no text.", suggestion: "Write the text or remove the heading." });
    }
    for (let i = 0; i < doc.paragraphs.length; i++) {
      const p = doc.paragraphs[i]!;
      // Lists and block quotes end however their content ends (a citation, a line of verse).
      if (p.kind !== "paragraph") continue;
      const text = p.content.trimEnd();
      if (text.length === 0) continue;
      const complete = COMPLETE.test(text);
      const isEnd = i === lastParagraph || lastOfSection.has(i);
      if (complete && !isEnd) continue; // the common case: nothing to compute
      const end = p.contentStart + text.length;
      const at = { start: Math.max(p.contentStart, end - lastWords(p).length), end };
      const where = i === lastParagraph ? "The entry" : lastOfSection.has(i) ? `Section ${doc.sections[p.section]?.heading.numeral ?? ""}`.trim() : "This paragraph";
      const severity = i === lastParagraph || lastOfSection.has(i) ? undefined : ("warning" as const);
      if (!complete) {
        out.push({ ...at, ...(severity ? { severity } : {}), message: `${where} ends mid-sentence ("...${lastWords(p)}").`, suggestion: "Finish the sentence or regenerate the end of the paragraph." });
        continue;
      }
      if (i === lastParagraph || lastOfSection.has(i)) {
        const open = unbalanced(text);
        if (open) out.push({ ...at, message: `${where} ends with ${open}, as if cut off.`, suggestion: "Close it or regenerate the end of the paragraph." });
      }
    }
    return out;
  },
};
