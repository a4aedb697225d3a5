// The response cache replays seeded requests only, from memory and from the node's libSQL file.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openNodeDb } from "../../gpu-node/db/client.ts";
import { responseCache } from "../../gpu-node/db/schema/cache.ts";
import { metricValue, storiesPath, tempDir, testConfig, withEngine } from "./helpers.ts";

const models = [{ id: "stories", source: storiesPath, contextSize: 512, sequences: 2 }];

describe("response cache", () => {
  it("replays a seeded request and never an unseeded one", async () => {
    await withEngine(testConfig(models), async (engine) => {
      const seeded = { prompt: "Once upon a time", maxTokens: 30, temperature: 1, seed: 42 };
      const first = await engine.complete(seeded);
      let streamed = "";
      const second = await engine.complete({ ...seeded, onToken: (t) => (streamed += t) });
      expect(first.cached).toBe(false);
      expect(second.cached).toBe(true);
      expect(second.text).toBe(first.text);
      expect(second.tokens).toBe(first.tokens);
      expect(second.stopReason).toBe(first.stopReason);
      expect(streamed).toBe(first.text);

      // Any change of parameters is a different answer.
      expect((await engine.complete({ ...seeded, seed: 43 })).cached).toBe(false);
      expect((await engine.complete({ ...seeded, maxTokens: 31 })).cached).toBe(false);
      expect((await engine.complete({ ...seeded, temperature: 0.9 })).cached).toBe(false);

      // Without a seed, the same request is sampled afresh every time.
      const unseeded = { prompt: "Once upon a time", maxTokens: 30, temperature: 1 };
      const texts = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const r = await engine.complete(unseeded);
        expect(r.cached).toBe(false);
        texts.add(r.text);
      }
      expect(texts.size).toBeGreaterThan(1);

      expect(await metricValue(engine, "opus_engine_cache_hits_total", { level: "memory" })).toBe(1);
      expect(await metricValue(engine, "opus_engine_cache_misses_total")).toBe(4);
      expect(await metricValue(engine, "opus_engine_requests_total", { model: "stories", outcome: "cached" })).toBe(1);
    });
  });

  it("does not store aborted generations", async () => {
    await withEngine(testConfig(models), async (engine) => {
      const controller = new AbortController();
      let n = 0;
      const request = { prompt: "Once upon a time", maxTokens: 200, temperature: 1, seed: 5 };
      const aborted = await engine.complete({ ...request, signal: controller.signal, onToken: () => ++n === 3 && controller.abort() });
      expect(aborted.stopReason).toBe("abort");
      const full = await engine.complete(request);
      expect(full.cached).toBe(false);
      expect(full.tokens).toBeGreaterThan(aborted.tokens);
    });
  });

  it("keeps answers in the node database across engine restarts", async () => {
    const file = path.join(tempDir(), "node.db");
    const config = testConfig(models, { cache: { persistent: true } });
    const request = { prompt: "Once upon a time", maxTokens: 20, temperature: 1, seed: 7 };
    const db = await openNodeDb(file);
    const first = await withEngine(config, (engine) => engine.complete(request), { db });
    const rows = await db.select().from(responseCache);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ modelId: "stories", text: first.text, tokens: first.tokens, modelSha256: createHash("sha256").update(readFileSync(storiesPath)).digest("hex") });
    db.$client.close();

    const reopened = await openNodeDb(file);
    await withEngine(
      config,
      async (engine) => {
        const again = await engine.complete(request);
        expect(again).toMatchObject({ cached: true, text: first.text, tokens: first.tokens });
        expect(await metricValue(engine, "opus_engine_cache_hits_total", { level: "disk" })).toBe(1);
        // The model was never loaded for it.
        expect(engine.stats().models[0]!.loads).toBe(0);
      },
      { db: reopened },
    );
    reopened.$client.close();
  });
});
