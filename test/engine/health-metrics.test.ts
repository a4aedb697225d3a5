// GET /health generates a real token; GET /metrics speaks Prometheus.
import { describe, expect, it } from "vitest";
import { engineRoutes } from "../../gpu-node/engine/index.ts";
import { randomPath, storiesPath, tempDir, testConfig, withEngine } from "./helpers.ts";
import path from "node:path";

describe("health and metrics routes", () => {
  it("reports ready after generating a token, and exports the engine's metrics", async () => {
    const config = testConfig([{ id: "stories", source: storiesPath, contextSize: 512, sequences: 2 }]);
    await withEngine(config, async (engine) => {
      const app = engineRoutes(engine);
      const health = await app.request("/health");
      expect(health.status).toBe(200);
      const body = (await health.json()) as { ok: boolean; model: string; tokenMs: number; check: string; loadedModels: string[] };
      expect(body).toMatchObject({ ok: true, model: "stories", check: "generated", loadedModels: ["stories"] });
      expect(body.tokenMs).toBeGreaterThan(0);

      await engine.complete({ prompt: "Once upon a time", maxTokens: 10, temperature: 0, seed: 1 });
      await engine.complete({ prompt: "Once upon a time", maxTokens: 10, temperature: 0, seed: 1 });
      const metrics = await app.request("/metrics");
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get("content-type")).toContain("text/plain");
      const text = await metrics.text();
      // The health token and the first completion were generated; the second came from the cache.
      expect(text).toContain('opus_engine_tokens_generated_total{model="stories"} 11');
      expect(text).toContain('opus_engine_requests_total{model="stories",outcome="ok"} 2');
      expect(text).toContain('opus_engine_requests_total{model="stories",outcome="cached"} 1');
      expect(text).toContain('opus_engine_cache_hits_total{level="memory"} 1');
      expect(text).toContain("opus_engine_cache_misses_total 1");
      expect(text).toContain('opus_engine_model_loads_total{model="stories"} 1');
      expect(text).toContain("opus_engine_loaded_models 1");
      expect(text).toMatch(/opus_engine_model_memory_bytes\{model="stories",kind="ram"\} [1-9]\d*/);
      expect(text).toMatch(/opus_engine_time_to_first_token_seconds_count\{model="stories"\} 2/);
      expect(text).toMatch(/opus_engine_tokens_per_second_count\{model="stories"\} 1/);
      expect(text).toMatch(/opus_engine_queue_wait_seconds_count\{priority="S"\} 1/);
      expect(text).toContain('opus_engine_queue_depth{priority="B"} 0');
      expect(text).toContain("opus_engine_evictions_total");
    });
  });

  it("answers 503 when no token can be generated", async () => {
    const config = testConfig([{ id: "gone", source: path.join(tempDir(), "missing.gguf") }]);
    await withEngine(config, async (engine) => {
      const response = await engineRoutes(engine).request("/health");
      expect(response.status).toBe(503);
      const body = (await response.json()) as { ok: boolean; error: string };
      expect(body.ok).toBe(false);
      expect(body.error).toContain('model "gone": no model file at');
    });
  });

  it("passes on recent tokens when every sequence is busy generating", async () => {
    const config = testConfig([{ id: "random", source: randomPath, contextSize: 2048, sequences: 1 }]);
    await withEngine(config, async (engine) => {
      const controller = new AbortController();
      let check: Promise<{ ok: boolean; check: string }> | null = null;
      let n = 0;
      await engine.complete({
        prompt: "Hello",
        maxTokens: 1000,
        temperature: 1,
        signal: controller.signal,
        onToken: () => {
          if (++n === 5) check = engine.health();
          if (n === 10) controller.abort();
        },
      });
      expect(await check).toMatchObject({ ok: true, check: "recent-token" });
    });
  });
});
