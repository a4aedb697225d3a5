// A whole tier-S entry on the real test model: at least 10,000 words, structured as its blueprint.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline, type PipelineReport } from "../../gpu-node/pipeline/write-entry.ts";
import { countWords } from "../../shared/text/words.ts";
import { startTestPipeline, type TestPipeline } from "../support/pipeline.ts";
import { entryHangGuardMs } from "../support/bounds.ts";

describe("tier-S entry", () => {
  let t: TestPipeline;
  beforeAll(async () => {
    t = await startTestPipeline();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("reaches 10,000 words in sections that match the blueprint, with a recorded state machine", async () => {
    const statuses: string[] = [];
    const progress: PipelineReport[] = [];
    const job = { id: "ent_long", subject: "Theosis", tier: "S" as const, category: "Theology", seed: 2026 };
    await t.deps.checkpoints.open({ ...job, callback_url: "http://127.0.0.1:1/unused" });
    const result = await runPipeline(job, t.deps, {
      signal: new AbortController().signal,
      onProgress: (p) => {
        progress.push(p);
        if (statuses.at(-1) !== p.status) statuses.push(p.status);
      },
    });
    const { entry, quality } = result;
    expect(entry.words).toBeGreaterThanOrEqual(10_000);
    expect(countWords(entry.markdown)).toBeGreaterThanOrEqual(10_000);
    const plan = entry.metadata.plan as { numeral: string; title: string; word_target: number }[];
    expect(plan.length).toBeGreaterThanOrEqual(6);
    // The headings are exactly the blueprint's, in order, with Roman numerals.
    const headings = entry.markdown.split("\n").filter((l) => l.startsWith("## "));
    expect(headings).toEqual(plan.map((s) => `## ${s.numeral}. ${s.title}`));
    expect(plan.map((s) => s.numeral)).toEqual(["I", "II", "III", "IV", "V", "VI"].slice(0, plan.length));
    expect(entry.sections.map((s) => s.title)).toEqual(plan.map((s) => `${s.numeral}. ${s.title}`));
    // Every section was planned with a word target and measured against it.
    expect(quality.length.sections).toHaveLength(plan.length);
    for (const s of quality.length.sections) {
      expect(s.required).toBeGreaterThan(1000);
      expect(s.score).toBeGreaterThanOrEqual(0);
      expect(s.score).toBeLessThanOrEqual(100);
    }
    expect(quality.length.written).toBe(entry.words);
    // House style paragraphs: four no-break spaces, never a plain-space indent.
    const paragraphs = entry.markdown.split("\n").filter((l) => l && !l.startsWith("#"));
    expect(paragraphs.every((l) => l.startsWith("\u00a0\u00a0\u00a0\u00a0") && !l.startsWith("\u00a0\u00a0\u00a0\u00a0 "))).toBe(true);
    // States in order; the quality gate decided the ending.
    expect(statuses.slice(0, 3)).toEqual(["blueprint", "sections", "validating"]);
    expect(statuses.slice(-2)).toEqual(["assembling", "finalizing"]);
    expect(["succeeded", "needs_review"]).toContain(result.status);
    expect(result.status === "succeeded").toBe(quality.passed);
    if (result.status === "needs_review") expect(quality.reasons.length).toBeGreaterThan(0);
    expect(Object.keys(quality.dimensions).sort()).toEqual(expect.arrayContaining(["length", "style", "structure", "citations", "doctrine"]));
    expect(progress.at(-1)!.words).toBe(entry.words);
    // Progress never goes back, and follows the plan: by the time validation starts, every
    // planned paragraph is written and the ETA has run down to nothing.
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.progress).toBeGreaterThanOrEqual(progress[i - 1]!.progress);
    const lastWriting = progress.filter((p) => p.status === "sections").at(-1)!;
    expect(lastWriting.progress).toBeCloseTo(0.85, 5);
    expect(lastWriting.eta_seconds).toBe(0);
    // Reproducibility record.
    expect(entry.metadata).toMatchObject({ seed: 2026, model_sha256: expect.stringMatching(/^[0-9a-f]{64}$/), prompt_version: expect.any(String), prompt_style: "completion", config_hash: expect.stringMatching(/^[0-9a-f]{16}$/) });
    // Each section was grounded in passages retrieved from the knowledge base (kept in the draft).
    const stored = await t.deps.checkpoints.find("ent_long");
    const passages = stored!.draft!.passages!;
    expect(Object.keys(passages).sort()).toEqual(plan.map((s) => s.numeral).sort());
    for (const list of Object.values(passages)) expect(list.length).toBe(t.config.pipeline.retrievalPassages);
    // Each step ran once: the log's keys are unique by construction, and every paragraph is in it.
    const steps = await t.deps.checkpoints.steps("ent_long");
    const paragraphSteps = steps.filter((s) => s.kind === "paragraph" || s.kind === "expansion");
    expect(paragraphSteps.length).toBe(paragraphs.length);
  }, entryHangGuardMs);
});
