// The golden corpus is the standard the generator is held to: every entry passes every validator.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { countWords, lintMarkdown } from "../../shared/validation/index.ts";
import { repoRoot } from "../support/paths.ts";

const dir = path.join(repoRoot, "corpus/golden");
const entries = readdirSync(dir).filter((f) => f.endsWith(".md") && f !== "README.md");

describe("golden corpus", () => {
  it("holds at least six entries", () => {
    expect(entries.length).toBeGreaterThanOrEqual(6);
  });

  it.each(entries)("%s is at least 1,500 words and draws no issue of any severity", async (file) => {
    const markdown = readFileSync(path.join(dir, file), "utf8");
    expect(countWords(markdown)).toBeGreaterThanOrEqual(1500);
    for (const place of ["edge", "gpu"] as const) {
      const report = await lintMarkdown(markdown, { place });
      expect(report.issues.map((i) => `${i.rule} ${i.line}:${i.column} ${i.message}`)).toEqual([]);
    }
  });
});
