// Turns a draft into house-style Markdown, remembering where each paragraph sits so that validator
// issues can be traced to the paragraph that carries them; and reads such Markdown back.
import type { EntrySection } from "../../shared/api/node-protocol.ts";
import { paragraphIndent } from "../../shared/text/house-style.ts";
import { countWords } from "../../shared/text/words.ts";
import type { EntryDraft } from "./draft.ts";

export type ParagraphSpan = { section: number; paragraph: number; start: number; end: number };

export type Assembled = { markdown: string; spans: ParagraphSpan[]; sections: EntrySection[]; words: number };

export function sectionHeading(numeral: string, title: string): string {
  return `## ${numeral}. ${title}`;
}

export function assemble(draft: EntryDraft): Assembled {
  const plan = draft.plan!;
  let markdown = `# ${plan.subject}\n`;
  const spans: ParagraphSpan[] = [];
  const sections: EntrySection[] = [];
  let words = 0;
  plan.sections.forEach((section, s) => {
    const heading = sectionHeading(section.numeral, section.title);
    const parts = [heading];
    markdown += `\n${heading}\n`;
    let sectionWords = 0;
    (draft.sections[s]?.paragraphs ?? []).forEach((text, p) => {
      if (!text) return;
      markdown += "\n";
      const start = markdown.length;
      markdown += `${paragraphIndent}${text}\n`;
      spans.push({ section: s, paragraph: p, start, end: markdown.length - 1 });
      parts.push(`${paragraphIndent}${text}`);
      sectionWords += countWords(text);
    });
    words += sectionWords;
    sections.push({ title: `${section.numeral}. ${section.title}`, markdown: parts.join("\n\n"), words: sectionWords });
  });
  return { markdown, spans, sections, words };
}

/** The paragraph (if any) that contains `offset`. */
export function spanAt(spans: ParagraphSpan[], offset: number): ParagraphSpan | undefined {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = spans[mid]!;
    if (offset < s.start) hi = mid - 1;
    else if (offset > s.end) lo = mid + 1;
    else return s;
  }
  return undefined;
}

/**
 * Reads assembled Markdown back into the draft's paragraphs (after automatic fixes changed the
 * text). Returns false, changing nothing, if the structure no longer matches the draft.
 */
export function readBack(draft: EntryDraft, markdown: string): boolean {
  const blocks = markdown.split(/\n{2,}/).map((b) => b.replace(/^\n+|\n+$/g, ""));
  const sections: string[][] = [];
  for (const block of blocks) {
    if (block.startsWith("# ")) continue;
    if (block.startsWith("## ")) {
      sections.push([]);
      continue;
    }
    if (sections.length === 0 || !block.trim()) continue;
    sections[sections.length - 1]!.push(block.replace(/^[\u00a0 \t]+/, "").replace(/\n/g, " "));
  }
  if (sections.length !== draft.sections.length) return false;
  for (let s = 0; s < sections.length; s++) {
    const written = draft.sections[s]!.paragraphs.filter((p): p is string => Boolean(p));
    if (written.length !== sections[s]!.length) return false;
  }
  sections.forEach((paragraphs, s) => {
    let i = 0;
    const slots = draft.sections[s]!.paragraphs;
    for (let p = 0; p < slots.length; p++) if (slots[p]) slots[p] = paragraphs[i++]!;
  });
  return true;
}
