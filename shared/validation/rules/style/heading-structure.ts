// style/heading-structure: one "# Subject" title on the first line, then "## I. Title",
// "## II. Title"... in order, "### " subsections only inside a section. Numerals are fixable.
import type { Heading, IssueDraft, OpusDocument, Validator } from "../../types.ts";
import { romanValue, toRoman } from "../../../text/roman.ts";

/** A section label the writer meant as a number: "IV.", "iv)", "4.", "IV" (without the dot). */
const LOOSE_NUMBER = /^(?:([IVXLCDMivxlcdm]+)([.):]?)|(\d{1,3})([.):]))[ \t]+/;

export const headingStructure: Validator = {
  id: "style/heading-structure",
  description: 'A "# Subject" title first, then sections "## I. Title", "## II. Title"... in order; "###" only inside a section.',
  severity: "error",
  dimension: "style",
  priority: 30,
  places: ["edge", "gpu"],
  fixable: true,
  validate(doc: OpusDocument): IssueDraft[] {
    const out: IssueDraft[] = [];
    const first = doc.blocks[0];
    if (!doc.title) {
      out.push({ start: first?.start ?? 0, end: first?.end ?? 0, message: 'The entry has no title: its first line must be "# <Subject>".', suggestion: 'Add "# <Subject>" as the first line.' });
    } else if (first !== doc.title) {
      out.push({ start: doc.title.start, end: doc.title.end, message: 'The title "# ..." must be the first line of the entry.', suggestion: "Move the title to the top." });
    }
    if (doc.title && doc.title.title.trim().length === 0) {
      out.push({ start: doc.title.start, end: doc.title.end, message: "The title is empty.", suggestion: 'Write the subject after "# ".' });
    }
    let expected = 1;
    let inSection = false;
    for (const h of doc.headings) {
      if (h === doc.title) continue;
      if (h.depth === 1) {
        out.push({ start: h.start, end: h.end, message: 'Only the first line may be a "# " title; sections use "## ".', suggestion: `Write "## ${toRoman(expected)}. ${h.title}".` });
        continue;
      }
      if (h.depth === 2) {
        inSection = true;
        checkSection(doc, h, expected, out);
        expected++;
        continue;
      }
      if (!inSection) {
        out.push({ start: h.start, end: h.end, message: `A "${"#".repeat(h.depth)}" subsection appears before section I.`, suggestion: 'Put subsections inside a "## I. ..." section.' });
      } else if (h.depth > 3) {
        out.push({ start: h.start, end: h.end, severity: "warning", message: `Headings go no deeper than "###"; this one has ${h.depth} levels.`, suggestion: 'Use "###" or fold the text into its subsection.' });
      }
      if (h.title.trim().length === 0) out.push({ start: h.start, end: h.end, message: "This heading is empty.", suggestion: "Give the subsection a title." });
    }
    return out;
  },
};

function checkSection(doc: OpusDocument, h: Heading, expected: number, out: IssueDraft[]): void {
  const want = toRoman(expected);
  const titleEnd = h.titleStart + h.title.length;
  if (h.numeralValue !== undefined) {
    if (h.numeralValue !== expected) {
      out.push({
        start: h.titleStart,
        end: h.titleStart + h.numeral!.length,
        message: `Sections are numbered in order: expected ${want}, found ${h.numeral}.`,
        suggestion: `Renumber this section "${want}."`,
        fix: { description: "renumber the section", edits: [{ start: h.titleStart, end: h.titleStart + h.numeral!.length, text: want }] },
      });
    }
    if (h.title.slice(h.numeral!.length).replace(/^\.[ \t]*/, "").trim().length === 0) {
      out.push({ start: h.start, end: h.end, message: `Section ${h.numeral} has no title.`, suggestion: `Write "## ${want}. <Title>".` });
    }
    return;
  }
  const loose = LOOSE_NUMBER.exec(h.title);
  const rest = loose ? h.title.slice(loose[0].length) : h.title;
  // "IV Title", "iv. Title", "4. Title" were meant as numbers; "Civil Law" or "Mix" were not.
  const looksNumbered =
    loose !== null &&
    rest.trim().length > 0 &&
    (loose[3] !== undefined || (romanValue(loose[1]!.toUpperCase()) !== undefined && (loose[1] === loose[1]!.toUpperCase() || loose[2] !== "")));
  const replaceEnd = looksNumbered ? h.titleStart + loose![0].length : h.titleStart;
  if (rest.trim().length === 0 && !looksNumbered) {
    out.push({ start: h.start, end: titleEnd, message: "This section heading is empty.", suggestion: `Write "## ${want}. <Title>".` });
    return;
  }
  out.push({
    start: h.titleStart,
    end: looksNumbered ? replaceEnd : titleEnd,
    message: looksNumbered
      ? `Section numbers are upper-case Roman numerals followed by a period: "${want}.".`
      : `Section headings carry a Roman numeral: "## ${want}. ${h.title}".`,
    suggestion: `Write "## ${want}. ${rest.trim()}".`,
    fix: { description: "number the section", edits: [{ start: h.titleStart, end: replaceEnd, text: `${want}. ` }] },
  });
  void doc;
}
