// The length score, and the quality gate's judgement on a golden exemplar and on a children's story.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defaultPipelineConfig } from "../../gpu-node/pipeline/config.ts";
import { lengthScore } from "../../gpu-node/pipeline/length.ts";
import { lengthReport, scoreQuality } from "../../gpu-node/pipeline/quality.ts";
import { createServerValidator } from "../../gpu-node/validation.ts";
import { countWords } from "../../shared/text/words.ts";
import { repoRoot } from "../support/paths.ts";

describe("LongBench-Write length score", () => {
  it("is 100 on target, falls by a third per 100% over, by half per 100% under", () => {
    expect(lengthScore(1000, 1000)).toBe(100);
    expect(lengthScore(1000, 2000)).toBeCloseTo(100 * (1 - 1 / 3));
    expect(lengthScore(1000, 4000)).toBe(0);
    expect(lengthScore(1000, 500)).toBeCloseTo(50);
    expect(lengthScore(1000, 333)).toBeCloseTo(100 * Math.max(0, 1 - (1000 / 333 - 1) / 2));
    expect(lengthScore(1000, 0)).toBe(0);
  });
});

describe("quality gate", () => {
  const config = defaultPipelineConfig();
  const validator = createServerValidator();

  it("passes a golden exemplar on every dimension it measures", async () => {
    const markdown = readFileSync(path.join(repoRoot, "corpus/golden/theosis.md"), "utf8");
    const words = countWords(markdown);
    const validation = await validator.validate(markdown, "B");
    const quality = scoreQuality(lengthReport(words, words, []), validation, config);
    expect(quality.dimensions.citations).toBe(1);
    expect(quality.dimensions.doctrine).toBeGreaterThanOrEqual(0.85);
    expect(quality.combined).toBeGreaterThanOrEqual(0.85);
    expect(quality.issues.critical).toBe(0);
  });

  it("sends a well-formed text without citations to review, saying why", async () => {
    const story = `# Theosis\n\n## I. The Park\n\n${"\u00a0".repeat(4)}${"Lily went to the park with her mom. She saw a big red ball and a small dog. They played all day and were very happy. ".repeat(20)}\n`;
    const words = countWords(story);
    const validation = await validator.validate(story, "B");
    const quality = scoreQuality(lengthReport(words, words, []), validation, config);
    expect(quality.dimensions.citations).toBe(0);
    expect(quality.passed).toBe(false);
    expect(quality.reasons.join("\n")).toMatch(/cites 0 Scripture passage/);
  });

  it("holds back an entry whose combined score passes while one dimension is below the floor", () => {
    const validation = { issues: [], dimensions: { style: 1, structure: 1, citations: 0.3, doctrine: 1, uniqueness: 1 } };
    const quality = scoreQuality(lengthReport(10_000, 10_500, []), validation, config);
    // 0.2 + 0.15 + 0.15 + 0.2 * 0.3 + 0.2 + 0.1 over a total weight of 1: above the threshold.
    expect(quality.combined).toBeGreaterThanOrEqual(config.qualityThreshold);
    expect(quality.passed).toBe(false);
    expect(quality.reasons).toContain(`citations scored 0.300, below the floor of ${config.dimensionFloor} that every dimension must reach`);
    // At the floor itself it passes.
    const atFloor = scoreQuality(lengthReport(10_000, 10_500, []), { ...validation, dimensions: { ...validation.dimensions, citations: config.dimensionFloor } }, config);
    expect(atFloor.passed).toBe(true);
  });

  it("sends garbled prose to review even with good citations: digit noise is an error", async () => {
    const golden = readFileSync(path.join(repoRoot, "corpus/golden/theosis.md"), "utf8");
    const garbled = golden.replace(/(\n\u00a0{4}[^\n]*?)\./, "$1, the Son of God, the Son of God 2076353545.");
    expect(garbled).not.toBe(golden);
    const words = countWords(garbled);
    const validation = await validator.validate(garbled, "B");
    const rules = validation.issues.filter((i) => i.rule === "style/garbled");
    expect(rules.map((i) => i.severity).sort()).toEqual(["error", "warning"]);
    const quality = scoreQuality(lengthReport(words, words, []), validation, config);
    expect(quality.passed).toBe(false);
    expect(quality.reasons).toContain("1 error(s) remain");
  });
});
