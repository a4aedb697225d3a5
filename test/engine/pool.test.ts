// The model pool under a memory budget: eviction order, one load per model, and no eviction under a caller.
import { describe, expect, it } from "vitest";
import { metricValue, randomPath, storiesPath, testConfig, withEngine } from "./helpers.ts";

// Explicit context and sequences make each plan independent of the budget, so a first engine can
// measure the footprints that the budget of the second is built from.
const small = { contextSize: 256, sequences: 1 };

async function footprints(models: ({ id: string; source: string } & Record<string, unknown>)[]): Promise<Record<string, number>> {
  const config = testConfig(models.map((m) => ({ ...small, ...m })));
  return withEngine(config, async (engine) => {
    const out: Record<string, number> = {};
    for (const m of models) out[m.id] = (await engine.plan(m.id)).footprintBytes;
    return out;
  });
}

function state(engine: { stats(): { models: { id: string; state: string; loads: number; evictions: number; active: number }[] } }, id: string) {
  return engine.stats().models.find((m) => m.id === id)!;
}

describe("model pool", () => {
  it("evicts the loaded model when loading another would pass a budget that holds one", async () => {
    const models = [
      { id: "stories", source: storiesPath },
      { id: "random", source: randomPath },
    ];
    const sizes = await footprints(models);
    const a = sizes.stories!;
    const b = sizes.random!;
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    // Room for the larger alone, not for both.
    const budget = Math.max(a, b) + Math.floor(Math.min(a, b) / 2);
    const config = testConfig(models.map((m) => ({ ...m, ...small })), { memory: { budget } });
    await withEngine(config, async (engine) => {
      await engine.loadModel("stories");
      expect(state(engine, "stories").state).toBe("loaded");
      await engine.loadModel("random");
      expect(state(engine, "stories")).toMatchObject({ state: "unloaded", evictions: 1 });
      expect(state(engine, "random")).toMatchObject({ state: "loaded", loads: 1, evictions: 0 });
      // Using the evicted model brings it back and sends the other out.
      const result = await engine.complete({ model: "stories", prompt: "Once upon a time", maxTokens: 8, temperature: 0 });
      expect(result.tokens).toBeGreaterThan(0);
      expect(state(engine, "random")).toMatchObject({ state: "unloaded", evictions: 1 });
      expect(state(engine, "stories")).toMatchObject({ state: "loaded", loads: 2 });
      expect(await metricValue(engine, "opus_engine_evictions_total", { model: "random" })).toBe(1);
      expect(await metricValue(engine, "opus_engine_loaded_models")).toBe(1);
    });
  });

  it("evicts the least recently used model, not the first loaded", async () => {
    const models = ["a", "b", "c"].map((id) => ({ id, source: storiesPath }));
    const sizes = await footprints(models);
    const budget = Math.floor(sizes.a! * 2.5);
    const config = testConfig(models.map((m) => ({ ...m, ...small })), { memory: { budget } });
    await withEngine(config, async (engine) => {
      await engine.loadModel("a");
      await engine.loadModel("b");
      // "a" was loaded first but is used last: "b" is now the least recently used.
      await engine.complete({ model: "a", prompt: "Once", maxTokens: 2, temperature: 0 });
      await engine.loadModel("c");
      expect(engine.stats().models.map((m) => [m.id, m.state])).toEqual([
        ["a", "loaded"],
        ["b", "unloaded"],
        ["c", "loaded"],
      ]);
    });
  });

  it("loads a model once for concurrent callers", async () => {
    const config = testConfig([{ id: "stories", source: storiesPath, contextSize: 512, sequences: 4 }]);
    await withEngine(config, async (engine) => {
      const results = await Promise.all([
        engine.loadModel("stories"),
        engine.loadModel("generator"),
        ...[1, 2, 3, 4, 5].map((seed) => engine.complete({ prompt: "Once upon a time", maxTokens: 4, seed })),
      ]);
      expect(results).toHaveLength(7);
      expect(state(engine, "stories").loads).toBe(1);
      expect(await metricValue(engine, "opus_engine_model_loads_total", { model: "stories" })).toBe(1);
    });
  });

  it("never evicts a model under an active completion: the other load waits for it", async () => {
    const models = [
      { id: "stories", source: storiesPath, contextSize: 2048, sequences: 1 },
      { id: "random", source: randomPath, ...small },
    ];
    const sizes = await footprints(models);
    // Either model alone fits; together they do not.
    const budget = Math.max(sizes.stories!, sizes.random!) + Math.floor(Math.min(sizes.stories!, sizes.random!) / 2);
    const config = testConfig(models, { memory: { budget } });
    await withEngine(config, async (engine) => {

      let other: Promise<{ firstTokenAt: number; tokens: number }> | null = null;
      const violations: string[] = [];
      let tokens = 0;
      const long = await engine.complete({
        model: "stories",
        prompt: "Once upon a time",
        maxTokens: 400,
        temperature: 0,
        onToken: () => {
          tokens++;
          if (tokens === 3) {
            const start = performance.now();
            other = engine
              .complete({ model: "random", prompt: "Hello", maxTokens: 4, temperature: 0 })
              .then((r) => ({ firstTokenAt: start + (r.timeToFirstTokenMs ?? 0), tokens: r.tokens }));
          }
          // The invariant, checked at every token of the running completion.
          const s = state(engine, "stories");
          const r = state(engine, "random");
          if (s.state !== "loaded" || s.active !== 1) violations.push(`stories ${s.state}/${s.active} at token ${tokens}`);
          if (r.state === "loaded" || r.state === "loading") violations.push(`random ${r.state} at token ${tokens}`);
        },
      });
      const longDoneAt = performance.now();
      expect(violations).toEqual([]);
      expect(long.stopReason).not.toBe("abort");
      expect(long.tokens).toBeGreaterThan(3);
      expect(other).not.toBeNull();
      const second = await other!;
      expect(second.tokens).toBeGreaterThan(0);
      expect(second.firstTokenAt).toBeGreaterThan(longDoneAt);
      expect(state(engine, "stories")).toMatchObject({ state: "unloaded", evictions: 1 });
      await expect(engine.unloadModel("random")).resolves.toBeUndefined();
    });
  });

  it("refuses to unload a model while it generates", async () => {
    const config = testConfig([{ id: "stories", source: storiesPath, contextSize: 2048, sequences: 1 }]);
    await withEngine(config, async (engine) => {
      let refusal: Promise<unknown> | null = null;
      await engine.complete({
        prompt: "Once upon a time",
        maxTokens: 200,
        temperature: 0,
        onToken: () => {
          refusal ??= engine.unloadModel("stories").catch((e: unknown) => e);
        },
      });
      expect(String(await refusal)).toContain('model "stories" has 1 active sequences and cannot be unloaded');
      expect(state(engine, "stories").state).toBe("loaded");
    });
  });
});
