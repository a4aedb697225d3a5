// Admission control: a bounded priority queue; a full queue answers 503 with Retry-After over HTTP.
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { QueueFullError, QueueTimeoutError, onEngineError, type Engine } from "../../gpu-node/engine/index.ts";
import { metricValue, storiesPath, testConfig, withEngine } from "./helpers.ts";

/** Occupies the model's only sequence until the returned release() is called. */
function occupy(engine: Engine): { started: Promise<void>; done: Promise<unknown>; release: () => void } {
  const controller = new AbortController();
  let markStarted!: () => void;
  let failed!: (error: unknown) => void;
  const started = new Promise<void>((resolve, reject) => {
    markStarted = resolve;
    failed = reject;
  });
  const done = engine.complete({ prompt: "Once upon a time", maxTokens: 1500, temperature: 0, signal: controller.signal, onToken: () => markStarted() });
  done.catch(failed);
  return { started, done, release: () => controller.abort() };
}

describe("admission queue", () => {
  it("answers 503 with Retry-After over HTTP when the queue is full", async () => {
    const config = testConfig([{ id: "stories", source: storiesPath, contextSize: 2048, sequences: 1 }], { queue: { maxWaiting: 1, maxWaitMs: 60_000 } });
    await withEngine(config, async (engine) => {
      const app = new Hono();
      app.post("/complete", async (c) => c.json(await engine.complete(await c.req.json())));
      app.onError(onEngineError);

      const holder = occupy(engine);
      await holder.started;
      const waiting = engine.complete({ prompt: "Once", maxTokens: 3, temperature: 0 });
      expect(engine.stats().queueDepth).toBe(1);

      const response = await app.request("/complete", { method: "POST", body: JSON.stringify({ prompt: "Once", maxTokens: 3 }), headers: { "content-type": "application/json" } });
      expect(response.status).toBe(503);
      const retryAfter = Number(response.headers.get("retry-after"));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1).toBe(true);
      expect(await response.json()).toMatchObject({ error: { code: "queue_full", message: expect.stringContaining(`Retry in ${retryAfter}s`) } });
      await expect(engine.complete({ prompt: "Once", maxTokens: 3 })).rejects.toBeInstanceOf(QueueFullError);
      expect(await metricValue(engine, "opus_engine_requests_total", { model: "stories", outcome: "queue_full" })).toBe(2);

      holder.release();
      await holder.done;
      expect((await waiting).tokens).toBe(3);
      // Room again: the same request now succeeds over HTTP.
      const ok = await app.request("/complete", { method: "POST", body: JSON.stringify({ prompt: "Once", maxTokens: 3 }), headers: { "content-type": "application/json" } });
      expect(ok.status).toBe(200);
    });
  });

  it("serves tier S before A before B, first come first served within a tier", async () => {
    const config = testConfig([{ id: "stories", source: storiesPath, contextSize: 2048, sequences: 1 }]);
    await withEngine(config, async (engine) => {
      const holder = occupy(engine);
      await holder.started;
      const order: string[] = [];
      const request = (name: string, priority: "S" | "A" | "B") =>
        engine.complete({ prompt: "Once", maxTokens: 2, temperature: 0, priority }).then(() => order.push(name));
      const all = [request("B1", "B"), request("A1", "A"), request("B2", "B"), request("S1", "S"), request("A2", "A")];
      expect(engine.stats().queueDepth).toBe(5);
      holder.release();
      await Promise.all(all);
      expect(order).toEqual(["S1", "A1", "A2", "B1", "B2"]);
    });
  });

  it("never lets a request wait forever: queue.maxWaitMs ends the wait", async () => {
    const config = testConfig([{ id: "stories", source: storiesPath, contextSize: 2048, sequences: 1 }], { queue: { maxWaiting: 8, maxWaitMs: 50 } });
    await withEngine(config, async (engine) => {
      // A preload is not bound by queue.maxWaitMs (a large model takes longer than that to load).
      await engine.loadModel("stories");
      const holder = occupy(engine);
      await holder.started;
      const error = await engine.complete({ prompt: "Once", maxTokens: 2 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueueTimeoutError);
      expect((error as QueueTimeoutError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(engine.stats().queueDepth).toBe(0);
      holder.release();
      await holder.done;
    });
  });
});
