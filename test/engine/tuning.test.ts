// Auto-tuning from GGUF metadata and node-llama-cpp's estimates, and thread calibration by measurement:
// sustained windows on the real test model, the decision rule (fewer threads unless more are clearly
// faster in every window), the cache with its expiry, and the engine's first load.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { GgufInsights, getLlama, readGgufFileInfo, type Llama } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ModelTooLargeError } from "../../gpu-node/engine/index.ts";
import { loadNodeConfig } from "../../gpu-node/config/index.ts";
import { planModel } from "../../gpu-node/engine/tuning.ts";
import {
  calibrateThreads,
  calibrationKey,
  chooseThreads,
  expectedPerRequest,
  measureSustained,
  summarize,
  sweepThreads,
  threadCandidates,
  type CalibrationRecord,
  type SustainedSpeed,
} from "../../gpu-node/engine/thread-calibration.ts";
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
    // Whatever the test model: its training context, within generation.autoContextSizeMin and autoContextSizeMax.
    const trained = insights.trainContextSize!;
    const context = Math.max(Math.min(trained, generation.autoContextSizeMax), generation.autoContextSizeMin);
    const note =
      context > trained
        ? `raised to generation.autoContextSizeMin, past the ${trained}-token training context`
        : context < trained
          ? "capped at generation.autoContextSizeMax"
          : "training context";
    expect(plan.contextSize).toMatchObject({ value: context, source: "auto", note });
    expect(plan.sequences).toMatchObject({ value: 4, source: "auto", note: "cap of 4" });
    expect(plan.batchSize).toMatchObject({ value: Math.min(context * 4, 512), source: "auto" });
    expect(plan.footprintBytes).toBe(plan.model.cpuRam + plan.context.cpuRam);
  });

  it("fits sequences and context into a tight budget", async () => {
    const roomy = await planModel(insights, spec(), cpu(1e10));
    const twoOfSmaller = await planModel(insights, spec({ contextSize: Math.max(256, roomy.contextSize.value / 2), sequences: 2 }), cpu(1e10));
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
  const layout = { sequences: 2, batching: "isolated" as const };
  const alone = (tokensPerSecond: number): SustainedSpeed => ({ sequences: 1, tokens: tokensPerSecond, ms: 1000, tokensPerSecond });
  const together = (tokensPerSecond: number): SustainedSpeed => ({ sequences: 2, tokens: tokensPerSecond, ms: 1000, tokensPerSecond });

  it("measures sustained decoding for a time window, alone or with several sequences as the engine arranges them", async () => {
    const model = await llama.loadModel({ modelPath: storiesPath });
    try {
      // The window lasts its time and holds at least 4 tokens, within a cap of four times its time.
      const one = await measureSustained(model, 1, { sequences: 1, batching: "isolated", windowMs: 300, contextSize: 256 });
      expect(one.sequences).toBe(1);
      expect(one.ms).toBeGreaterThanOrEqual(300);
      expect(one.tokens).toBeGreaterThanOrEqual(4);
      expect(one.tokensPerSecond).toBeCloseTo((one.tokens * 1000) / one.ms, 6);
      // A window shorter than 4 tokens take runs on until it has them, or until its cap (here 80 ms).
      const brief = await measureSustained(model, 1, { sequences: 1, batching: "isolated", windowMs: 20, contextSize: 256 });
      expect(brief.tokens >= 4 || brief.ms >= 80).toBe(true);
      expect(brief.ms).toBeGreaterThanOrEqual(20);
      for (const batching of ["isolated", "shared"] as const) {
        const three = await measureSustained(model, 1, { sequences: 3, batching, windowMs: 300, contextSize: 256 });
        expect(three.sequences).toBe(3);
        expect(three.ms).toBeGreaterThanOrEqual(300);
        expect(three.tokens).toBeGreaterThanOrEqual(4);
      }
      // A sequence that fills its context starts over: a window longer than the context still decodes throughout.
      const long = await measureSustained(model, 1, { sequences: 1, batching: "isolated", windowMs: 2500, contextSize: 256 });
      expect(long.tokens).toBeGreaterThan(256);
    } finally {
      await model.dispose();
    }
  });

  it("keeps fewer threads unless more are clearly faster in every window, alone and together", () => {
    // The figures of the fooled calibration: 2 threads won a 25 ms burst and collapsed when sustained.
    const one = summarize(1, [alone(1058), together(1100), alone(778), together(1000)]);
    const collapsing = summarize(2, [alone(1374), together(1500), alone(7), together(1400)]);
    expect(collapsing).toMatchObject({ tokensPerSecond: 7, parallelTokensPerSecond: 1400 });
    expect(chooseThreads([one, collapsing], 0.1)).toBe(1);
    // Clearly faster everywhere: its slowest window beats the other's fastest by the required gain.
    const faster = summarize(2, [alone(1700), together(1800), alone(1650), together(1750)]);
    expect(chooseThreads([one, faster], 0.1)).toBe(2);
    expect(chooseThreads([one, faster], 0.6)).toBe(1);
    // A few percent is not clearly faster; faster alone but slower together is not consistently faster.
    expect(chooseThreads([one, summarize(2, [alone(1100), together(1150), alone(1120), together(1160)])], 0.1)).toBe(1);
    expect(chooseThreads([one, summarize(2, [alone(1700), together(600), alone(1700), together(650)])], 0.1)).toBe(1);
    // Each step up must beat the current choice: 4 beats 2, which beat 1.
    const four = summarize(4, [alone(2500), together(2600), alone(2400), together(2500)]);
    expect(chooseThreads([four, faster, one], 0.1)).toBe(4);
    // A candidate dropped early (fewer windows) takes no part, however fast its one round looked.
    expect(chooseThreads([one, summarize(2, [alone(5000), together(5000)])], 0.1)).toBe(1);
    // With one sequence the layout has no parallel windows.
    expect(chooseThreads([summarize(1, [alone(100)]), summarize(2, [alone(200)])], 0.1)).toBe(2);
    expect(threadCandidates(2)).toEqual([1, 2]);
    expect(threadCandidates(32)).toEqual([1, 2, 4, 6, 8, 12, 16, 20, 24, 28, 32]);
  });

  it("sweeps in rounds on the real model and stops measuring a candidate that did not beat the choice", async () => {
    const model = await llama.loadModel({ modelPath: storiesPath });
    try {
      // No machine makes 2 threads eleven times faster than 1: they fail their first window alone and are
      // measured no more (neither with both sequences nor in round two).
      const sweep = await sweepThreads(model, [1, 2], { layout, windowMs: 100, rounds: 2, minGain: 10, contextSize: 256 });
      const [one, two] = sweep;
      expect(one!.windows.map((w) => w.sequences)).toEqual([1, 2, 1, 2]);
      expect(two!.windows.map((w) => w.sequences)).toEqual([1]);
      expect(two!.parallelTokensPerSecond).toBeNull();
      expect(chooseThreads(sweep, 10)).toBe(1);
      // The summary is the slowest window of each kind.
      expect(one!.tokensPerSecond).toBe(Math.min(...one!.windows.filter((w) => w.sequences === 1).map((w) => w.tokensPerSecond)));
      expect(one!.parallelTokensPerSecond).toBe(Math.min(...one!.windows.filter((w) => w.sequences === 2).map((w) => w.tokensPerSecond)));
      // Without that impossible demand, 2 threads get their window with both sequences unless alone they already lost.
      const fair = await sweepThreads(model, [1, 2], { layout, windowMs: 100, rounds: 1, minGain: 0.1, contextSize: 256 });
      const lostAlone = fair[1]!.windows[0]!.tokensPerSecond < fair[0]!.windows[0]!.tokensPerSecond * 1.1;
      expect(fair[1]!.windows.map((w) => w.sequences)).toEqual(lostAlone ? [1] : [1, 2]);
    } finally {
      await model.dispose();
    }
  });

  it("caches the choice per machine, model and layout with when and why it was measured, and measures again when it expires or is from an older method", async () => {
    const cacheDir = path.join(path.dirname(testConfig([{ id: "m", source: storiesPath }]).paths.cacheDir), "calibration");
    const file = path.join(cacheDir, "thread-calibration.json");
    const model = await llama.loadModel({ modelPath: storiesPath });
    try {
      const options = { cacheDir, machineKey: "test-machine", modelSha256: "abc", cores: 2, layout, contextSize: 256, windowMs: 100, rounds: 1, minGain: 0.1, maxAgeMs: 3_600_000 };
      const first = await calibrateThreads(model, options);
      expect(first).toMatchObject({ source: "calibrated", reason: "first use", version: 2, method: { windowMs: 100, rounds: 1, minGain: 0.1, layout, candidates: [1, 2] } });
      expect(first.sweep.map((p) => p.threads)).toEqual([1, 2]);
      expect(first.threads).toBe(chooseThreads(first.sweep, 0.1));
      expect(first.ms).toBeGreaterThan(0);
      const key = calibrationKey("test-machine", "abc", 0, layout);
      expect(key).toBe("test-machine|abc|gpuLayers=0|sequences=2/isolated");
      const stored = () => JSON.parse(readFileSync(file, "utf8")) as Record<string, CalibrationRecord>;
      expect(stored()[key]).toMatchObject({ threads: first.threads, at: first.at, reason: "first use" });

      const second = await calibrateThreads(model, options);
      expect(second).toMatchObject({ source: "cached", threads: first.threads, at: first.at });
      // Another layout is another measurement.
      expect((await calibrateThreads(model, { ...options, layout: { sequences: 1, batching: "isolated" }, candidates: [1] })).source).toBe("calibrated");
      // Past its age the record is measured again, and says why.
      const later = () => Date.parse(first.at) + 3_600_001;
      const expired = await calibrateThreads(model, { ...options, candidates: [1], now: later });
      expect(expired).toMatchObject({ source: "calibrated", reason: "cache expired", threads: 1 });
      expect(stored()[key]!.reason).toBe("cache expired");
      // A record of the old 32-token sweep (which chose 2 threads) is not trusted.
      const oldKey = calibrationKey("test-machine", "old", 0, layout);
      writeFileSync(file, JSON.stringify({ ...stored(), [oldKey]: { threads: 2, sweep: [{ threads: 1, tokens: 32, ms: 30.2, tokensPerSecond: 1058 }, { threads: 2, tokens: 32, ms: 23.3, tokensPerSecond: 1374 }], at: new Date().toISOString() } }));
      const remeasured = await calibrateThreads(model, { ...options, modelSha256: "old", candidates: [1] });
      expect(remeasured).toMatchObject({ source: "calibrated", reason: "cached by an older method", threads: 1 });
      // Forced, with the caller's reason.
      expect(await calibrateThreads(model, { ...options, candidates: [1], force: true, reason: "opus doctor --calibrate" })).toMatchObject({ source: "calibrated", reason: "opus doctor --calibrate" });
    } finally {
      await model.dispose();
    }
  });

  it("promises per request the smaller of one sequence's speed and each sequence's share when all run", () => {
    const record = (single: number, parallel: number | null, sequences: number): CalibrationRecord => ({
      version: 2,
      threads: 1,
      sweep: [{ threads: 1, tokensPerSecond: single, parallelTokensPerSecond: parallel, windows: [] }],
      at: new Date().toISOString(),
      reason: "first use",
      method: { windowMs: 100, rounds: 1, minGain: 0.1, layout: { sequences, batching: "isolated" }, candidates: [1] },
      ms: 1,
    });
    expect(expectedPerRequest(record(1000, 1600, 4))).toBe(400);
    expect(expectedPerRequest(record(300, 1600, 4))).toBe(300);
    expect(expectedPerRequest(record(800, null, 1))).toBe(800);
  });

  it("calibrates at first load when threads are auto, reuses the cache later, and lets explicit threads win", async () => {
    const config = testConfig(
      [
        { id: "auto", source: storiesPath, threads: "auto", contextSize: 256, sequences: 2 },
        { id: "fixed", source: storiesPath, threads: 1, contextSize: 256, sequences: 1 },
      ],
      { features: { threadCalibration: true }, calibration: { windowMs: 100, rounds: 1 } },
    );
    const calibrationFile = path.join(config.paths.cacheDir, "thread-calibration.json");
    type TestEngine = Parameters<Parameters<typeof withEngine>[1]>[0];
    const describeModel = async (engine: TestEngine, id: string) => (await engine.describe()).models.find((m) => m.id === id)!;

    await withEngine(config, async (engine) => {
      expect((await describeModel(engine, "auto")).settings!.threads).toMatchObject({ value: null, source: "auto" });
      expect((await describeModel(engine, "fixed")).settings!.threads).toEqual({ value: 1, source: "explicit" });
      await engine.complete({ model: "auto", prompt: "Once", maxTokens: 2 });
      const auto = await describeModel(engine, "auto");
      expect(auto.settings!.threads).toMatchObject({ source: "calibrated" });
      // Measured with the sequences the engine runs for this model.
      expect(auto.threadCalibration!.calibration).toMatchObject({ source: "calibrated", reason: "first use", windowMs: 100, rounds: 1 });
      expect(auto.threadCalibration!.calibration!.sweep).toMatch(/1 threads \d+ tok\/s \(2 at once \d+\)/);
      await engine.complete({ model: "fixed", prompt: "Once", maxTokens: 2 });
      expect((await describeModel(engine, "fixed")).settings!.threads).toEqual({ value: 1, source: "explicit" });
    });
    expect(existsSync(calibrationFile)).toBe(true);
    // Only the auto model was measured.
    const stored = JSON.parse(readFileSync(calibrationFile, "utf8")) as Record<string, CalibrationRecord>;
    expect(Object.keys(stored)).toHaveLength(1);
    expect(Object.keys(stored)[0]).toMatch(/\|sequences=2\/isolated$/);

    await withEngine(config, async (engine) => {
      const before = (await describeModel(engine, "auto")).settings!.threads;
      expect(before).toMatchObject({ source: "cached", note: expect.stringMatching(/^measured /) });
      await engine.loadModel("auto");
      const after = await describeModel(engine, "auto");
      expect(after.settings!.threads).toMatchObject({ source: "cached", value: before.value });
      expect(after.threadCalibration!.calibration).toMatchObject({ source: "cached", at: Object.values(stored)[0]!.at });
    });
  });
});
