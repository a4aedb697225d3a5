import { describe, expect, it } from "vitest";
import { lintMarkdownSync } from "../../shared/validation/index.ts";
import { NBSP4, entry, fixture, issuesOf, oneSection, p } from "./helpers.ts";

const words = (n: number, seed = 0): string => {
  const vocab = ["grace", "light", "prayer", "glory", "faith", "Church", "mystery", "life", "love", "hope", "Spirit", "heart", "truth", "peace"];
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(vocab[(i * 7 + seed * 3 + Math.floor(i / 14)) % vocab.length]!);
  return out.join(" ") + ".";
};

describe("structure/word-count", () => {
  it("checks the tier's total and section count", () => {
    const md = fixture("theosis.md");
    const s = issuesOf(md, "structure/word-count", { tier: "S" });
    expect(s.filter((i) => i.severity === "error").map((i) => i.message)).toEqual([expect.stringMatching(/^The entry has 1,\d{3} words; tier S needs at least 10,000\.$/)]);
    expect(issuesOf(md, "structure/word-count", { tier: "B" }).filter((i) => i.severity === "error").map((i) => i.message)).toEqual([expect.stringMatching(/tier B needs at least 2,500\.$/)]);
    expect(issuesOf(md, "structure/word-count")).toEqual([]);
  });

  it("reports sections below the floor and the section count, per tier", () => {
    const md = entry("T", [["A", [words(150)]], ["B", [words(40, 1)]]]);
    const none = issuesOf(md, "structure/word-count");
    expect(none.map((i) => [i.line, i.severity])).toEqual([[7, "warning"]]);
    expect(none[0]!.message).toBe("Section II has 40 words; sections need at least 100.");
    const b = issuesOf(md, "structure/word-count", { tier: "B" });
    expect(b.map((i) => i.message)).toEqual([
      "The entry has 190 words; tier B needs at least 2,500.",
      "The entry has 2 sections; tier B needs at least 4.",
      "Section I has 150 words; sections need at least 300.",
      "Section II has 40 words; sections need at least 300.",
    ]);
  });

  it("takes per-tier targets from configuration", () => {
    const md = entry("T", [["A", [words(150)]], ["B", [words(150, 1)]]]);
    const config = { tiers: { B: { "structure/word-count": { options: { targets: { B: { minWords: 200, minSections: 2, minSectionWords: 100 } } } } } } };
    expect(lintMarkdownSync(md, { tier: "B", config }).issues.filter((i) => i.rule === "structure/word-count")).toEqual([]);
  });
});

describe("structure/truncated", () => {
  it("fires when the entry or a section ends mid-sentence, or a section is empty", () => {
    const md = `# T\n\n## I. A\n\n${p("Complete sentence.")}\n\n${p("But this one stops in the")}\n\n## II. B\n\n## III. C\n\n${p("The entry ends with an open quotation: \u201cGlory to God.")}\n`;
    const issues = issuesOf(md, "structure/truncated");
    expect(issues.map((i) => [i.line, i.severity, i.message])).toEqual([
      [7, "error", 'Section I ends mid-sentence ("...this one stops in the").'],
      [9, "error", "Section II has no text."],
      [13, "error", "The entry ends with an unclosed quotation, as if cut off."],
    ]);
  });

  it("warns on an inner paragraph that stops mid-sentence", () => {
    const md = oneSection("This paragraph stops without", "This one ends well.");
    expect(issuesOf(md, "structure/truncated").map((i) => [i.line, i.severity])).toEqual([[5, "warning"]]);
  });

  it("accepts closing quotes, brackets and emphasis after the final stop", () => {
    const md = oneSection('He said, "Glory to God."', "(This is in brackets.)", "*Emphasis ends here.*", "A question?", `Last words (John 1:14).`);
    expect(issuesOf(md, "structure/truncated")).toEqual([]);
    expect(issuesOf(`${oneSection("Text.")}\n> A quotation without a stop\n`, "structure/truncated")).toEqual([]);
  });
});

describe("structure/repetition", () => {
  const para = "The Fathers teach that the human person is created according to the image of God and called to grow into his likeness through grace and freedom.";
  it("fires on a paragraph repeated word for word or nearly so", () => {
    const near = para.replace("teach", "hold").replace("grace and freedom", "freedom and grace");
    const md = oneSection(para, "An unrelated paragraph about the liturgy of the Church and the feasts of the year, which have their own order and rhythm.", near, para);
    const issues = issuesOf(md, "structure/repetition");
    expect(issues.map((i) => [i.line, i.severity])).toEqual([
      [9, "error"],
      [11, "error"],
    ]);
    expect(issues[0]!.message).toMatch(/% the same as the paragraph on line 5/);
    expect(issues[1]!.message).toBe("This paragraph repeats the paragraph on line 5 word for word.");
  });

  it("fires on a repeated sentence inside different paragraphs", () => {
    const s = "The light of Tabor is the uncreated glory of the Godhead shining through the flesh of Christ.";
    const md = oneSection(`${s} The disciples fell on their faces.`, `Later writers return to the theme. ${s.replace("shining", "radiating")}`);
    const issues = issuesOf(md, "structure/repetition");
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ severity: "warning", line: 7 });
  });

  it("does not fire on distinct sentences, short refrains, or a repeated quotation", () => {
    const md = oneSection(
      'Glory to God. As the psalm says, "Be still, and know that I am God, I will be exalted among the nations."',
      'Glory to God. Again the Church sings, "Be still, and know that I am God, I will be exalted among the nations."',
      fixture("theosis.md").split("\n").find((l) => l.startsWith(NBSP4))!.slice(4),
    );
    expect(issuesOf(md, "structure/repetition")).toEqual([]);
    expect(issuesOf(fixture("theosis.md"), "structure/repetition")).toEqual([]);
  });
});
