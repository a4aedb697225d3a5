import { describe, expect, it } from "vitest";
import {
  BUILTIN_VALIDATORS,
  ValidationPipeline,
  checkConfig,
  createPipeline,
  fixMarkdown,
  lintMarkdown,
  lintMarkdownSync,
  type IssueDraft,
  type OpusDocument,
  type Validator,
} from "../../shared/validation/index.ts";
import { fixture, oneSection } from "./helpers.ts";

const PUBLIC_IDS = [
  "style/em-dash",
  "style/paragraph-indent",
  "style/heading-structure",
  "style/banned-phrase",
  "style/garbled",
  "structure/word-count",
  "structure/truncated",
  "structure/repetition",
  "scripture/unknown-book",
  "scripture/invalid-reference",
  "patristic/unknown-work",
  "patristic/misattribution",
  "patristic/anachronism",
  "doctrine",
];

/** A plugin that reports the word "heresy" and whose document it sees, for order checks. */
function wordPlugin(id: string, word: string, priority: number, seen: string[], places: Validator["places"] = ["edge", "gpu"]): Validator {
  return {
    id,
    description: `reports "${word}"`,
    severity: "warning",
    dimension: "style",
    priority,
    places,
    validate(doc: OpusDocument): IssueDraft[] {
      seen.push(id);
      const at = doc.text.indexOf(word);
      return at === -1 ? [] : [{ start: at, end: at + word.length, message: `found ${word}` }];
    },
  };
}

describe("validation pipeline", () => {
  it("exposes the public rule ids with severities, places and priorities", () => {
    expect(BUILTIN_VALIDATORS.map((v) => v.id)).toEqual(PUBLIC_IDS);
    expect(BUILTIN_VALIDATORS.find((v) => v.id === "style/em-dash")).toMatchObject({ severity: "critical", fixable: true });
    expect(BUILTIN_VALIDATORS.every((v) => v.places.includes("edge") && v.places.includes("gpu"))).toBe(true);
  });

  it("runs validators in priority order and times each", async () => {
    const seen: string[] = [];
    const pipeline = new ValidationPipeline([wordPlugin("x/late", "a", 50, seen), wordPlugin("x/early", "a", 5, seen), wordPlugin("x/mid", "a", 20, seen)]);
    const report = await pipeline.run("# a\n");
    expect(seen).toEqual(["x/early", "x/mid", "x/late"]);
    expect(Object.keys(report.timings).sort()).toEqual(["parse", "total", "x/early", "x/late", "x/mid"]);
    expect(Object.values(report.timings).every((t) => t >= 0)).toBe(true);
    expect(report.byRule["x/mid"]).toMatchObject({ count: 1, severity: "warning", dimension: "style" });
  });

  it("is configured per place and per tier without code changes", async () => {
    const seen: string[] = [];
    const pipeline = new ValidationPipeline([wordPlugin("x/one", "a", 1, seen), wordPlugin("x/gpu", "a", 2, seen, ["gpu"])], {
      places: { gpu: { "x/one": false } },
      tiers: { S: { "x/gpu": { severity: "critical", priority: 0 } } },
    });
    expect((await pipeline.run("# a\n", { place: "edge" })).issues.map((i) => i.rule)).toEqual(["x/one"]);
    expect((await pipeline.run("# a\n", { place: "gpu" })).issues.map((i) => i.rule)).toEqual(["x/gpu"]);
    const s = await pipeline.run("# a\n", { place: "gpu", tier: "S" });
    expect(s.issues.map((i) => [i.rule, i.severity])).toEqual([["x/gpu", "critical"]]);
    expect(s.passed).toBe(false);
    expect((await pipeline.run("# a\n", { place: "gpu", config: { rules: { x: false } } })).issues).toEqual([]);
  });

  it("accepts asynchronous validators registered at run time (gpu only)", async () => {
    const slow: Validator = {
      id: "uniqueness/near-duplicate",
      description: "test double of an index lookup, running on a real timer",
      severity: "error",
      dimension: "uniqueness",
      priority: 100,
      places: ["gpu"],
      async validate(doc) {
        await new Promise((r) => setTimeout(r, 5));
        return [{ start: 0, end: doc.title?.end ?? 0, message: "seen before" }];
      },
    };
    const md = fixture("theosis.md");
    const gpu = await lintMarkdown(md, { place: "gpu", extraValidators: [slow] });
    expect(gpu.issues.map((i) => i.rule)).toEqual(["uniqueness/near-duplicate"]);
    expect(gpu.dimensions.uniqueness).toBeLessThan(1);
    expect(gpu.timings["uniqueness/near-duplicate"]).toBeGreaterThanOrEqual(4);
    const edge = await lintMarkdown(md, { place: "edge", extraValidators: [slow] });
    expect(edge.issues).toEqual([]);
    const sync = lintMarkdownSync(md, { place: "gpu", extraValidators: [slow] });
    expect(sync.skipped).toEqual(["uniqueness/near-duplicate"]);
    const pipeline = createPipeline().register(slow);
    expect((await pipeline.run(md, { place: "gpu" })).passed).toBe(false);
  });

  it("reports a failing validator by id", async () => {
    const broken: Validator = { id: "x/broken", description: "", severity: "error", dimension: "style", priority: 1, places: ["edge"], validate: () => { throw new Error("boom"); } };
    await expect(lintMarkdown("# T\n", { extraValidators: [broken] })).rejects.toThrow("validator x/broken failed: boom");
    expect(() => new ValidationPipeline().register({ ...broken, places: [] })).toThrow(/places/);
  });

  it("rejects malformed configuration and options with the field named", async () => {
    expect(() => checkConfig({ rule: {} })).toThrow("unknown field 'rule'");
    expect(() => checkConfig({ rules: { "style/em-dash": { severity: "fatal" } } })).toThrow("'rules.style/em-dash.severity' must be one of info, warning, error, critical");
    expect(() => checkConfig({ tiers: { Z: {} } })).toThrow("'tiers.Z' is not one of S, A, B");
    await expect(lintMarkdown("# T\n", { tier: "Q" as never })).rejects.toThrow('tier must be one of S, A, B (got "Q")');
    await expect(lintMarkdown(42 as never)).rejects.toThrow("markdown must be a string");
    expect(() => fixMarkdown("# T\n", { maxRounds: 0 })).toThrow("maxRounds must be a positive integer");
  });

  it("is deterministic: the same input gives the same report apart from timings", async () => {
    const md = oneSection("Grace — not nature — saves. The Spirit proceeds from the Father and the Son. See Hezekiah 3:4 and John 3:99.");
    const strip = (r: Awaited<ReturnType<typeof lintMarkdown>>) => ({ ...r, timings: {}, byRule: Object.fromEntries(Object.entries(r.byRule).map(([k, v]) => [k, { ...v, ms: 0 }])) });
    expect(strip(await lintMarkdown(md))).toEqual(strip(await lintMarkdown(md)));
  });

  it("scores each dimension and falls with issue density", async () => {
    const clean = await lintMarkdown(fixture("theosis.md"));
    expect(clean).toMatchObject({ passed: true, score: 1, dimensions: { style: 1, structure: 1, citations: 1, doctrine: 1, uniqueness: 1 } });
    const md = fixture("theosis.md").replace("Theosis, or deification,", "Theosis — or deification —").replace("2 Peter 1:4", "2 Peter 1:40");
    const dirty = await lintMarkdown(md);
    expect(dirty.passed).toBe(false);
    expect(dirty.counts).toMatchObject({ critical: 2, error: 1 });
    expect(dirty.dimensions.style).toBeLessThan(dirty.dimensions.citations);
    expect(dirty.dimensions.doctrine).toBe(1);
    expect(dirty.score).toBeLessThan(1);
    expect(dirty.score).toBeGreaterThan(0.5);
  });
});
