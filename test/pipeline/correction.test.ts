// A validator error triggers regeneration of only the paragraphs that carry it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline, type PipelineResult } from "../../gpu-node/pipeline/write-entry.ts";
import { startTestPipeline, type TestPipeline } from "../support/pipeline.ts";
import { entryHangGuardMs, smallTier } from "../support/bounds.ts";

const job = (id: string) => ({ id, subject: "Hesychasm", tier: "B" as const, category: "Theology", seed: 77 });

function paragraphsOf(markdown: string): string[] {
  return markdown.split("\n").filter((l) => l.startsWith("\u00a0"));
}

async function write(t: TestPipeline, id: string): Promise<PipelineResult> {
  await t.deps.checkpoints.open({ ...job(id), callback_url: "http://127.0.0.1:1/unused" });
  return runPipeline(job(id), t.deps, { signal: new AbortController().signal, onProgress: () => undefined });
}

describe("targeted correction", () => {
  let plain: TestPipeline;
  let strict: TestPipeline | undefined;
  afterAll(async () => {
    await plain?.close();
    await strict?.close();
  });
  // The built-in model's digit noise (style/garbled) would send most paragraphs of both runs to
  // correction: this test isolates one rule's errors, so that rule is off in both.
  const quiet = { "style/garbled": false } as const;
  beforeAll(async () => {
    plain = await startTestPipeline({}, { config: { rules: quiet } });
  });

  it("regenerates only the paragraphs with a remaining error, and records why", async () => {
    const first = await write(plain, "ent_first");
    const before = paragraphsOf(first.entry.markdown);
    const firstCorrected = new Set((await plain.deps.checkpoints.steps("ent_first")).filter((s) => s.kind === "correction").map((s) => s.key.split("/").slice(1).join("/")));
    // A word the model used in one or two paragraphs becomes a banned phrase with severity error.
    const counts = new Map<string, number>();
    for (const p of before) for (const w of new Set(p.toLowerCase().match(/\b[a-z]{5,}\b/g) ?? [])) counts.set(w, (counts.get(w) ?? 0) + 1);
    const word = [...counts].filter(([, n]) => n >= 1 && n <= 2).map(([w]) => w).sort()[0]!;
    expect(word).toBeDefined();
    const carriers = before.map((p, i) => (new RegExp(`\\b${word}\\b`, "i").test(p) ? i : -1)).filter((i) => i >= 0);

    strict = await startTestPipeline({}, { config: { rules: { ...quiet, "style/banned-phrase": { severity: "error", options: { extra: [word] } } } } });
    const second = await write(strict, "ent_second");
    const after = paragraphsOf(second.entry.markdown);
    const steps = await strict.deps.checkpoints.steps("ent_second");
    const corrections = steps.filter((s) => s.kind === "correction");
    expect(corrections.length).toBeGreaterThanOrEqual(carriers.length);
    expect(corrections.some((s) => s.reason!.includes("style/banned-phrase"))).toBe(true);
    // Each correction names the paragraph it rewrote: "c<round>/s<section>/p<paragraph>".
    const rewritten = new Set(corrections.map((s) => s.key.split("/").slice(1).join("/")));
    // Map document order to section/paragraph keys through the plan's structure.
    const keys: string[] = [];
    second.entry.sections.forEach((section, s) => {
      const count = section.markdown.split("\n").filter((l) => l.startsWith("\u00a0")).length;
      for (let p = 0; p < count; p++) keys.push(`s${s}/p${p}`);
    });
    expect(keys).toHaveLength(after.length);
    expect(after.length).toBe(before.length);
    for (let i = 0; i < after.length; i++) {
      const key = keys[i]!;
      if (!rewritten.has(key) && !firstCorrected.has(key)) expect(after[i], `paragraph ${key} was not to change`).toBe(before[i]);
    }
    for (const i of carriers) expect(rewritten.has(keys[i]!), `paragraph ${keys[i]} carried "${word}"`).toBe(true);
    expect((second.entry.metadata.retries as { kind: string }[]).filter((r) => r.kind === "correction").length).toBe(corrections.length);
  }, entryHangGuardMs);

  it("grows the entry back to its tier's minimum when rewritten paragraphs come back shorter", async () => {
    // Every paragraph carries an error (a banned "the"): each is rewritten once, asked to avoid it.
    const minWords = 600;
    const shrinking = await startTestPipeline(
      { ...smallTier("B", { minWords, sections: 3, paragraphWords: 80, margin: 0.05 }), OPUS_PIPELINE__EXPANSION_ATTEMPTS: "6", OPUS_PIPELINE__CORRECTION_ROUNDS: "1" },
      { config: { rules: { ...quiet, "style/banned-phrase": { severity: "error", options: { extra: ["the"] } } } } },
    );
    try {
      const result = await write(shrinking, "ent_shrinking");
      const steps = await shrinking.deps.checkpoints.steps("ent_shrinking");
      const corrections = steps.filter((s) => s.kind === "correction");
      expect(corrections.length).toBeGreaterThan(0);
      const rewrittenBy = Math.max(...corrections.map((s) => s.at));
      // Expansions written after the last rewrite: the correction step grew the entry back toward
      // its goal (the minimum and its margin), which the shorter rewrites had left it under.
      const regrown = steps.filter((s) => s.kind === "expansion" && s.at >= rewrittenBy);
      expect(regrown.length).toBeGreaterThan(0);
      expect(result.entry.words).toBeGreaterThanOrEqual(minWords);
    } finally {
      await shrinking.close();
    }
  }, entryHangGuardMs);
});
