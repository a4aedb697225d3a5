import { describe, expect, it } from "vitest";
import { lintMarkdown, parseDocument } from "../../shared/validation/index.ts";
import { fixture } from "./helpers.ts";

describe.each(["theosis.md", "holy-trinity.md"])("exemplar %s", (name) => {
  it("passes every rule with no issue at all", async () => {
    const report = await lintMarkdown(fixture(name));
    expect(report.issues).toEqual([]);
    expect(report).toMatchObject({ passed: true, score: 1 });
    expect(report.wordCount).toBeGreaterThan(1400);
  });

  it("is real house style: six numbered sections, cited Scripture and Fathers", () => {
    const doc = parseDocument(fixture(name));
    expect(doc.sections.map((s) => s.heading.numeral)).toEqual(["I", "II", "III", "IV", "V", "VI"]);
    expect(doc.scripture.length).toBeGreaterThan(10);
    expect(doc.patristic.length).toBeGreaterThan(5);
    expect(doc.patristic.every((c) => c.generic || c.workIds.length > 0)).toBe(true);
  });
});
