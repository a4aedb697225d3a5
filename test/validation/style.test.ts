import { describe, expect, it } from "vitest";
import { fixMarkdown, lintMarkdownSync } from "../../shared/validation/index.ts";
import { NBSP4, entry, issuesOf, oneSection, p } from "./helpers.ts";

describe("style/em-dash", () => {
  it("fires on em and en dashes and on a spaced double hyphen, with exact positions", () => {
    const md = oneSection("Grace — not nature — saves.", "See John 1:1–14 for this.", "He came -- and he saw.");
    const issues = issuesOf(md, "style/em-dash");
    expect(issues).toHaveLength(4);
    expect(issues.every((i) => i.severity === "critical" && i.fixable)).toBe(true);
    const first = issues[0]!;
    expect(md.slice(first.start, first.end)).toBe("—");
    expect(first.line).toBe(5);
    expect(first.column).toBe(4 + "Grace ".length + 1);
    expect(issues[2]!.message).toMatch(/range/);
  });

  it("does not fire on hyphens, ranges written with a hyphen, or horizontal rules", () => {
    const md = `${oneSection("A well-known verse, John 1:1-14, and a God-bearer.")}\n---\n`;
    expect(issuesOf(md, "style/em-dash")).toEqual([]);
  });

  it("fixes dashes into commas and hyphens, idempotently", () => {
    const md = oneSection("Grace — not nature — saves.", "See John 1:1–14 for this.", "—Leading dash here.", "Trailing dash —.");
    const once = fixMarkdown(md);
    expect(once.fixed["style/em-dash"]).toBe(5);
    expect(once.markdown).toContain(p("Grace, not nature, saves."));
    expect(once.markdown).toContain("John 1:1-14");
    expect(once.markdown).toContain(p("Leading dash here."));
    expect(once.markdown).toContain(p("Trailing dash."));
    expect(issuesOf(once.markdown, "style/em-dash")).toEqual([]);
    expect(fixMarkdown(once.markdown).markdown).toBe(once.markdown);
  });
});

describe("style/paragraph-indent", () => {
  it("requires exactly four no-break spaces", () => {
    const md = ["# T", "## I. S", "    Four ASCII spaces.", "No indent.", "\u00a0\u00a0Two NBSP.", "\tA tab.", `${NBSP4}Good.`].join("\n\n") + "\n";
    const issues = issuesOf(md, "style/paragraph-indent");
    expect(issues.map((i) => i.line)).toEqual([5, 7, 9, 11]);
    expect(issues[0]!.message).toMatch(/code block/);
    expect(issues.every((i) => i.severity === "error" && i.fixable)).toBe(true);
  });

  it("reports hard wraps and paragraphs run together as warnings", () => {
    const md = `# T\n\n## I. S\n\n${NBSP4}First line\nwrapped here.\n${NBSP4}Second paragraph.\n`;
    const issues = issuesOf(md, "style/paragraph-indent");
    expect(issues.map((i) => [i.line, i.severity])).toEqual([
      [6, "warning"],
      [7, "warning"],
    ]);
    const fixed = fixMarkdown(md).markdown;
    expect(fixed).toBe(`# T\n\n## I. S\n\n${NBSP4}First line wrapped here.\n\n${NBSP4}Second paragraph.\n`);
  });

  it("leaves block quotes, lists and headings alone", () => {
    const md = `# T\n\n## I. S\n\n> A quotation.\n\n- a list item\n\n${NBSP4}Prose.\n`;
    expect(issuesOf(md, "style/paragraph-indent")).toEqual([]);
  });

  it("fixes the indent idempotently", () => {
    const md = "# T\n\n## I. S\n\n    Spaces.\n\nNone.\n";
    const fixed = fixMarkdown(md).markdown;
    expect(fixed).toBe(`# T\n\n## I. S\n\n${NBSP4}Spaces.\n\n${NBSP4}None.\n`);
    expect(fixMarkdown(fixed).rounds).toBe(0);
  });
});

describe("style/heading-structure", () => {
  it("accepts a title and sections I, II, III with subsections", () => {
    const md = entry("T", [["A", ["Text."]], ["B", ["Text."]], ["C", ["Text."]]]).replace("## II. B", "## II. B\n\n### Sub\n\n" + p("More."));
    expect(issuesOf(md, "style/heading-structure")).toEqual([]);
  });

  it("fires on a missing title, unnumbered or misnumbered sections, and stray subsections", () => {
    const md = `${p("No title first.")}\n\n### Early sub\n\n## Unnumbered\n\n${p("x.")}\n\n## III. Skipped\n\n${p("x.")}\n\n## iv) Loose\n\n${p("x.")}\n`;
    const messages = issuesOf(md, "style/heading-structure").map((i) => i.message);
    expect(messages).toHaveLength(5);
    expect(messages[0]).toMatch(/no title/);
    expect(messages[1]).toMatch(/before section I/);
    expect(messages[2]).toMatch(/Roman numeral: "## I\. Unnumbered"/);
    expect(messages[3]).toMatch(/expected II, found III/);
    expect(messages[4]).toMatch(/upper-case Roman numerals/);
  });

  it("renumbers sections by fixing, and the fix is idempotent", () => {
    const md = `# T\n\n## Intro\n\n${p("x.")}\n\n## III. Next\n\n${p("x.")}\n\n## 3. Last\n\n${p("x.")}\n\n## Civil Law\n\n${p("x.")}\n`;
    const fixed = fixMarkdown(md).markdown;
    expect(fixed.match(/^## .*$/gm)).toEqual(["## I. Intro", "## II. Next", "## III. Last", "## IV. Civil Law"]);
    expect(issuesOf(fixed, "style/heading-structure")).toEqual([]);
    expect(fixMarkdown(fixed).markdown).toBe(fixed);
  });
});

describe("style/garbled", () => {
  it("reports runs of digits once per paragraph, and a phrase said twice in a row", () => {
    const md = oneSection(
      "The Gregory is in the 66665 of the 11358 and 754160 of Hoppa.",
      "The Holy Spirit of the Father, the Father, and the Son of God, the Son of God, the Word.",
    );
    const issues = issuesOf(md, "style/garbled");
    expect(issues.map((i) => [i.severity, md.slice(i.start, i.end)])).toEqual([
      ["error", "66665"],
      ["warning", "the Father, the Father"],
    ]);
    expect(issues[0]!.message).toContain("3 runs of digits");
    expect(issues[0]!.message).toContain("66665, 11358, 754160");
  });

  it("leaves years, references, numbers with commas, quotations, citations in parentheses and doubled function words alone", () => {
    const md = oneSection(
      "In 1351 the council met; PG 94.1032 and John 1:1-14 say so, and 10,000 monks came.",
      'The deacon cries, "The doors, the doors! In wisdom let us attend."',
      "St. Basil of Caesarea (St. Basil of Caesarea, *On the Holy Spirit* 9) teaches this.",
      "It is that that the Fathers mean.",
    );
    expect(issuesOf(md, "style/garbled")).toEqual([]);
  });
});

describe("style/banned-phrase", () => {
  it("fires on listed filler, case-insensitively, with a suggestion", () => {
    const md = oneSection("We must delve into the Fathers.", "It is important to note that grace is given.", "This is a rich tapestry.");
    const issues = issuesOf(md, "style/banned-phrase");
    expect(issues.map((i) => md.slice(i.start, i.end))).toEqual(["delve into", "It is important to note that", "rich tapestry"]);
    expect(issues.every((i) => i.severity === "warning" && i.suggestion)).toBe(true);
  });

  it("does not fire inside quotations, on substrings of words, or on theological terms", () => {
    const md = oneSection('The hymn says "in order to" as written.', "Synergy is the cooperation of grace and freedom.", "The moderator spoke.");
    expect(issuesOf(md, "style/banned-phrase")).toEqual([]);
  });

  it("takes extra and allowed phrases from configuration", () => {
    const md = oneSection("The mystery is awesome. We delve into it.");
    const config = { rules: { "style/banned-phrase": { options: { extra: ["awesome"], allow: ["delve into"] } } } };
    expect(lintMarkdownSync(md, { config }).issues.filter((i) => i.rule === "style/banned-phrase").map((i) => md.slice(i.start, i.end))).toEqual(["awesome"]);
  });

  it("applies listed replacements, keeping a sentence-initial capital", () => {
    const md = oneSection("In order to pray, one must be still. It is important to note that grace comes first. Each and every saint prayed.");
    const fixed = fixMarkdown(md).markdown;
    expect(fixed).toContain("To pray, one must be still. Grace comes first. Every saint prayed.");
    expect(fixMarkdown(fixed).markdown).toBe(fixed);
  });
});
