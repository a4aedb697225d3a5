import { describe, expect, it } from "vitest";
import { parseDocument, countWords } from "../../shared/validation/index.ts";
import { splitSentences } from "../../shared/validation/document/sentences.ts";
import { romanValue, toRoman } from "../../shared/text/roman.ts";
import { NBSP4, fixture } from "./helpers.ts";

describe("document model", () => {
  it("reads title, numbered sections, subsections and NBSP-indented paragraphs", () => {
    const md = `# Theosis\n\n${NBSP4}Lead paragraph.\n\n## I. First\n\n${NBSP4}One. Two.\n\n### A subsection\n\n${NBSP4}Three.\n\n## II. Second\n\n> A quotation.\n\n${NBSP4}Four.\n`;
    const doc = parseDocument(md);
    expect(doc.title?.title).toBe("Theosis");
    expect(doc.sections.map((s) => [s.heading.numeral, s.heading.numeralValue, s.heading.title])).toEqual([
      ["I", 1, "I. First"],
      ["II", 2, "II. Second"],
    ]);
    expect(doc.paragraphs.map((x) => [x.kind, x.section, x.content])).toEqual([
      ["paragraph", -1, "Lead paragraph."],
      ["paragraph", 0, "One. Two."],
      ["paragraph", 0, "Three."],
      ["blockquote", 1, "A quotation."],
      ["paragraph", 1, "Four."],
    ]);
    expect(doc.paragraphs[1]!.indent).toBe(NBSP4);
    expect(doc.sections[0]!.wordCount).toBe(3);
    expect(doc.sentences.map((s) => s.text)).toEqual(["Lead paragraph.", "One.", "Two.", "Three.", "A quotation.", "Four."]);
    expect(doc.quotations).toHaveLength(1);
  });

  it("treats a paragraph indented with ASCII spaces as a paragraph (to be reported), not as code", () => {
    const doc = parseDocument("# T\n\n    Indented with spaces.\n");
    expect(doc.paragraphs[0]).toMatchObject({ kind: "paragraph", indent: "    ", content: "Indented with spaces." });
  });

  it("gives 1-based line and column positions, also after CRLF line ends", () => {
    const doc = parseDocument("# T\r\n\r\nab\r\ncd\r\n");
    const offset = doc.text.indexOf("cd");
    expect(doc.position(offset)).toEqual({ line: 4, column: 1 });
    expect(doc.position(doc.text.indexOf("b"))).toEqual({ line: 3, column: 2 });
    expect(doc.lines[2]).toBe("ab");
  });

  it("does not split sentences at abbreviations, initials, dates or references", () => {
    const text = 'St. Basil (d. 379) cites Matt. 5:8, cf. John 1:14. C. S. Lewis wrote later. He asked "why?" Then he left.';
    const parts = splitSentences(text).map((r) => text.slice(r.start, r.end));
    expect(parts).toEqual(["St. Basil (d. 379) cites Matt. 5:8, cf. John 1:14.", "C. S. Lewis wrote later.", 'He asked "why?"', "Then he left."]);
  });

  it("finds inline quotations with straight and curly quotes", () => {
    const doc = parseDocument(`# T\n\n${NBSP4}He said "one" and “two” here.\n`);
    expect(doc.quotations.map((q) => q.text)).toEqual(["one", "two"]);
    expect(doc.inQuotation(doc.text.indexOf("one"))).toBe(true);
    expect(doc.inQuotation(doc.text.indexOf("here"))).toBe(false);
  });

  it("counts words the way writers do", () => {
    expect(countWords("The Word became flesh (John 1:14).")).toBe(6);
    expect(countWords(`${NBSP4}one - two`)).toBe(2);
    expect(parseDocument(fixture("theosis.md")).wordCount).toBeGreaterThan(1500);
  });

  it("writes and reads canonical Roman numerals only", () => {
    expect([1, 4, 9, 14, 40, 1999].map(toRoman)).toEqual(["I", "IV", "IX", "XIV", "XL", "MCMXCIX"]);
    expect(romanValue("XIV")).toBe(14);
    expect(romanValue("IIII")).toBeUndefined();
    expect(romanValue("VX")).toBeUndefined();
    expect(romanValue("CIVIL")).toBeUndefined();
  });

  it("memoizes derived data per document", () => {
    const doc = parseDocument("# T\n");
    let calls = 0;
    doc.memo("k", () => ++calls);
    doc.memo("k", () => ++calls);
    expect(calls).toBe(1);
    expect(doc.scripture).toBe(doc.scripture);
  });
});
