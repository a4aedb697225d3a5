// Auto-tuning from GGUF metadata and node-llama-cpp's estimates, and thread calibration by measurement.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { GgufInsights, getLlama, readGgufFileInfo, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelTooLargeError, loadNodeConfig } from "../../gpu-node/engine/index.ts";
import { planModel } from "../../gpu-node/engine/tuning.ts";
import { calibrateThreads, fastest, threadCandidates } from "../../gpu-node/engine/thread-calibration.ts";
import { storiesPath, testConfig, withEngine } from "./helpers.ts";

let llama: Llama;
let insights: GgufInsights;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never" });
  insights = await GgufInsights.from(await readGgufFileInfo(storiesPath), llama);
});

afterAll(async () => {
  await llama?.dispose();
});

const generation = loadNodeConfig({ env: { OPUS_MODEL: storiesPath } }).generation;
const spec = (over: Record<string, unknown> = {}) => ({ ...loadNodeConfig({ env: { OPUS_MODEL: storiesPath } }).models[0]!, ...over });
const cpu = (bytes: number) => ({ budget: { device: "cpu" as const, bytes, source: "explicit" as const }, capBytes: bytes, generation });

describe("auto-tuning", () => {
  it("takes the training context and the sequence cap when memory is plentiful", async () => {
    const plan = await planModel(insights, spec(), cpu(1e10));
    expect(plan.gpuLayers).toMatchObject({ value: 0, source: "auto", note: "no GPU" });
    expect(plan.contextSize).toMatchObject({ value: 2048, source: "auto", note: "training context" });
    expect(plan.sequences).toMatchObject({ value: 4, source: "auto", note: "cap of 4" });
    expect(plan.batchSize).toMatchObject({ value: 512, source: "auto" });
    expect(plan.footprintBytes).toBe(plan.model.cpuRam + plan.context.cpuRam);
  });

  it("fits sequences and context into a tight budget", async () => {
    const roomy = await planModel(insights, spec(), cpu(1e10));
    const twoOfSmaller = await planModel(insights, spec({ contextSize: 1024, sequences: 2 }), cpu(1e10));
    const budget = twoOfSmaller.footprintBytes;
    expect(budget).toBeLessThan(roomy.footprintBytes);
    const tight = await planModel(insights, spec(), cpu(budget));
    expect(tight.footprintBytes).toBeLessThanOrEqual(budget);
    expect(tight.contextSize.value * tight.sequences.value).toBeLessThan(roomy.contextSize.value * roomy.sequences.value);
    expect(tight.sequences.value).toBeGreaterThanOrEqual(1);
  });

  it("refuses a budget that cannot hold the model at its smallest context", async () => {
    await expect(planModel(insights, spec(), cpu(100_000))).rejects.toBeInstanceOf(ModelTooLargeError);
    await expect(planModel(insights, spec(), cpu(100_000))).rejects.toThrow(/needs .* of RAM .* but the budget is .*Raise memory\.budget/);
  });

  it("keeps explicit settings, even past the budget, with a warning", async () => {
    const plan = await planModel(insights, spec({ contextSize: 2048, sequences: 6, batchSize: 128, gpuLayers: 3 }), cpu(2_000_000));
    expect(plan.contextSize).toMatchObject({ value: 2048, source: "explicit" });
    expect(plan.sequences).toMatchObject({ value: 6, source: "explicit" });
    expect(plan.batchSize).toMatchObject({ value: 128, source: "explicit" });
    expect(plan.gpuLayers).toMatchObject({ value: 0, source: "explicit" });
    expect(plan.warnings.join(" ")).toContain("no GPU backend");
    expect(plan.warnings.join(" ")).toContain("Explicit settings are kept; the model will run alone.");
  });

  // This machine has no GPU: the VRAM path runs on node-llama-cpp's estimates with a hypothetical VRAM budget.
  it("offloads all layers when they fit a VRAM budget, and fewer when they do not (estimated)", async () => {
    const gpu = (bytes: number) => ({ budget: { device: "gpu" as const, bytes, source: "explicit" as const }, capBytes: bytes, generation });
    const all = await planModel(insights, spec({ contextSize: 512, sequences: 1 }), gpu(1e9));
    expect(all.gpuLayers).toMatchObject({ value: insights.totalLayers, source: "auto", note: "all layers fit" });
    const cap = Math.floor(all.footprintBytes / 2);
    const some = await planModel(insights, spec({ contextSize: 512, sequences: 1 }), gpu(cap));
    expect(some.gpuLayers.value).toBeLessThan(insights.totalLayers);
    expect(some.footprintBytes).toBeLessThanOrEqual(cap);
  });
});

describe("thread calibration", () => {
  it("sweeps thread counts, picks the fastest, and caches the choice per machine and model", async () => {
    const dir = path.dirname(testConfig([{ id: "m", source: storiesPath }]).paths.cacheDir);
    const cacheDir = path.join(dir, "cache");
    const model = await llama.loadModel({ modelPath: storiesPath });
    try {
      const options = { cacheDir, machineKey: "test-machine", modelSha256: "abc", cores: 2, tokens: 12, maxMsPerSetting: 300, rounds: 1 };
      const first = await calibrateThreads(model, options);
      expect(first.source).toBe("calibrated");
      expect(first.sweep.map((p) => p.threads)).toEqual([1, 2]);
      for (const point of first.sweep) expect(point.tokens).toBeGreaterThan(0);
      expect(first.threads).toBe(fastest(first.sweep));
      const stored = JSON.parse(readFileSync(path.join(cacheDir, "thread-calibration.json"), "utf8")) as Record<string, { threads: number }>;
      expect(stored["test-machine|abc|gpuLayers=0"]?.threads).toBe(first.threads);

      const second = await calibrateThreads(model, options);
      expect(second).toMatchObject({ source: "cached", threads: first.threads, sweep: first.sweep });
      // Another model file is another key.
      expect((await calibrateThreads(model, { ...options, modelSha256: "def", candidates: [1] })).source).toBe("calibrated");
    } finally {
      await model.dispose();
    }
  });

  it("chooses by measured speed, preferring fewer threads within 3%", () => {
    expect(fastest([{ threads: 1, tokensPerSecond: 1000, tokens: 10, ms: 10 }, { threads: 2, tokensPerSecond: 20, tokens: 10, ms: 500 }])).toBe(1);
    expect(fastest([{ threads: 1, tokensPerSecond: 100, tokens: 10, ms: 10 }, { threads: 2, tokensPerSecond: 102, tokens: 10, ms: 10 }])).toBe(1);
    expect(fastest([{ threads: 1, tokensPerSecond: 100, tokens: 10, ms: 10 }, { threads: 4, tokensPerSecond: 180, tokens: 10, ms: 10 }])).toBe(4);
    expect(threadCandidates(2)).toEqual([1, 2]);
    expect(threadCandidates(32)).toEqual([1, 2, 4, 6, 8, 12, 16, 20, 24, 28, 32]);
  });

  it("calibrates at first load when threads are auto, reuses the cache later, and lets explicit threads win", async () => {
    const config = testConfig(
      [
        { id: "auto", source: storiesPath, threads: "auto", contextSize: 256, sequences: 1 },
        { id: "fixed", source: storiesPath, threads: 1, contextSize: 256, sequences: 1 },
      ],
      { features: { threadCalibration: true }, calibration: { tokens: 12, maxMsPerSetting: 300, rounds: 1 } },
    );
    const calibrationFile = path.join(config.paths.cacheDir, "thread-calibration.json");
    const threadsOf = async (engine: Parameters<Parameters<typeof withEngine>[1]>[0], id: string) =>
      (await engine.describe()).models.find((m) => m.id === id)!.settings!.threads;

    await withEngine(config, async (engine) => {
      expect(await threadsOf(engine, "auto")).toMatchObject({ value: null, source: "auto" });
      expect(await threadsOf(engine, "fixed")).toEqual({ value: 1, source: "explicit" });
      await engine.complete({ model: "auto", prompt: "Once", maxTokens: 2 });
      expect(await threadsOf(engine, "auto")).toMatchObject({ source: "calibrated" });
      await engine.complete({ model: "fixed", prompt: "Once", maxTokens: 2 });
      expect(await threadsOf(engine, "fixed")).toEqual({ value: 1, source: "explicit" });
    });
    expect(existsSync(calibrationFile)).toBe(true);
    // Only the auto model was measured.
    expect(Object.keys(JSON.parse(readFileSync(calibrationFile, "utf8")) as object)).toHaveLength(1);

    await withEngine(config, async (engine) => {
      const before = await threadsOf(engine, "auto");
      expect(before.source).toBe("cached");
      await engine.loadModel("auto");
      expect(await threadsOf(engine, "auto")).toMatchObject({ source: "cached", value: before.value });
    });
  });
});
