// A hand edit: paragraphs of a revision replaced by a reviewer's text. Everything else keeps its
// bytes; the entry's Markdown is rebuilt the way the pipeline assembles it (shared/review/sections.ts).
import type { EntrySection } from "../../shared/api/node-protocol.ts";
import type { ParagraphEdit } from "../../shared/review/decisions.ts";
import { entryMarkdown, entryWords, joinSection, splitSection } from "../../shared/review/sections.ts";
import type { FieldError } from "../errors.ts";

export type EditedText = { markdown: string; sections: EntrySection[]; words: number; sectionsChanged: number[]; paragraphs: { section: number; paragraph: number }[] };

/** The revision after `edits`, or the fields that name a section or paragraph it does not have. */
export function applyEdits(title: string, base: readonly EntrySection[], edits: readonly ParagraphEdit[]): { ok: true; text: EditedText } | { ok: false; fields: FieldError[] } {
  const split = base.map((s) => splitSection(s.markdown));
  const fields: FieldError[] = [];
  const seen = new Set<string>();
  edits.forEach((edit, i) => {
    const section = split[edit.section];
    if (!section) fields.push({ field: `edits.${i}.section`, message: `the entry has sections 0 to ${base.length - 1}` });
    else if (edit.paragraph >= section.paragraphs.length) fields.push({ field: `edits.${i}.paragraph`, message: `section ${edit.section} has paragraphs 0 to ${section.paragraphs.length - 1}` });
    else if (seen.has(`${edit.section}/${edit.paragraph}`)) fields.push({ field: `edits.${i}`, message: "this paragraph is edited twice" });
    seen.add(`${edit.section}/${edit.paragraph}`);
  });
  if (fields.length > 0) return { ok: false, fields };
  for (const edit of edits) split[edit.section]!.paragraphs[edit.paragraph] = edit.text;
  const sections = base.map((original, s) => {
    const touched = edits.some((e) => e.section === s);
    return touched ? joinSection(original.title, split[s]!.heading, split[s]!.paragraphs) : original;
  });
  const sectionsChanged = sections.flatMap((s, i) => (s.markdown !== base[i]!.markdown ? [i] : []));
  return {
    ok: true,
    text: {
      markdown: entryMarkdown(title, sections),
      sections,
      words: entryWords(sections),
      sectionsChanged,
      paragraphs: edits.map(({ section, paragraph }) => ({ section, paragraph })),
    },
  };
}
