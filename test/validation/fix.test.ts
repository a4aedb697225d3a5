import { describe, expect, it } from "vitest";
import { ValidationPipeline, fixMarkdown, lintMarkdownSync, type Validator } from "../../shared/validation/index.ts";
import { fixText } from "../../shared/validation/fix.ts";
import { BUILTIN_VALIDATORS } from "../../shared/validation/rules/index.ts";
import { fixture } from "./helpers.ts";

const messy = [
  "# Theosis",
  "",
  "Theosis — the goal of life — is union with God.",
  "",
  "## Scripture",
  "",
  "    In order to see this, read John 17:21–23 and 2 Peter 1:4.",
  "",
  "## III Fathers",
  "",
  "\u00a0\u00a0St. Athanasius, *On the Incarnation* 54, says it plainly.",
  "Each and every Father agrees.",
  "",
].join("\n");

describe("fixMarkdown", () => {
  it("fixes every fixable rule to a fixed point", () => {
    const result = fixMarkdown(messy);
    expect(result.fixed).toEqual({
      "style/banned-phrase": 2,
      "style/em-dash": 3,
      "style/heading-structure": 2,
      "style/paragraph-indent": 4,
    });
    expect(result.rounds).toBeGreaterThanOrEqual(1);
    expect(result.rounds).toBeLessThanOrEqual(5);
    const after = lintMarkdownSync(result.markdown);
    expect(after.issues.filter((i) => i.fixable)).toEqual([]);
    expect(after.passed).toBe(true);
    expect(result.markdown.split("\n").filter((l) => l.startsWith("##"))).toEqual(["## I. Scripture", "## II. Fathers"]);
  });

  it("is idempotent on fixed text and leaves clean text untouched", () => {
    const once = fixMarkdown(messy).markdown;
    const twice = fixMarkdown(once);
    expect(twice.markdown).toBe(once);
    expect(twice.rounds).toBe(0);
    const clean = fixture("theosis.md");
    expect(fixMarkdown(clean)).toEqual({ markdown: clean, rounds: 0, fixed: {}, rejected: {} });
  });

  it("never keeps a fix that breaks a rule that passed", () => {
    // A plugin whose fix would introduce an em dash: the em-dash rule passed, so the fix is refused.
    const reckless: Validator = {
      id: "x/reckless",
      description: "rewrites 'union' with a dash",
      severity: "error",
      dimension: "style",
      priority: 1,
      places: ["edge"],
      fixable: true,
      validate(doc) {
        const at = doc.text.indexOf("union");
        return at === -1 ? [] : [{ start: at, end: at + 5, message: "x", fix: { description: "dash", edits: [{ start: at, end: at + 5, text: "uni\u2014on" }] } }];
      },
    };
    const pipeline = new ValidationPipeline([...BUILTIN_VALIDATORS, reckless]);
    const text = fixture("theosis.md");
    const result = fixText(pipeline, text, {});
    expect(result.markdown).toBe(text);
    expect(result.rejected).toEqual({ "x/reckless": 1 });
  });

  it("stops after the round limit", () => {
    // One issue per "a" but a fix only on the first: each round removes one, so ten need ten rounds.
    const slow: Validator = {
      id: "x/slow",
      description: "removes one 'a' per round",
      severity: "warning",
      dimension: "style",
      priority: 1,
      places: ["edge"],
      validate(doc) {
        const out = [];
        for (let i = doc.text.indexOf("a"); i !== -1; i = doc.text.indexOf("a", i + 1)) {
          out.push({ start: i, end: i + 1, message: "a", ...(out.length === 0 ? { fix: { description: "drop", edits: [{ start: i, end: i + 1, text: "" }] } } : {}) });
        }
        return out;
      },
    };
    const pipeline = new ValidationPipeline([slow]);
    const result = fixText(pipeline, "# Taaaaaaaaaa\n", { maxRounds: 3 });
    expect(result).toMatchObject({ rounds: 3, markdown: "# Taaaaaaa\n", fixed: { "x/slow": 3 } });
    expect(fixText(pipeline, "# Taa\n", { maxRounds: 5 })).toMatchObject({ rounds: 2, markdown: "# T\n" });
  });
});
