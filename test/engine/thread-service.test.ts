// Threads in service: the rolling decoding speed of real requests against the calibrated promise, and
// the re-calibration it starts when requests run far below it (a fooled or outlived calibration),
// reported in the log, in describe() and by `opus doctor` in another process.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { machineKey } from "../../gpu-node/engine/hardware.ts";
import { SpeedMonitor } from "../../gpu-node/engine/speed-monitor.ts";
import { calibrationKey, type CalibrationRecord } from "../../gpu-node/engine/thread-calibration.ts";
import { runCli } from "../support/cli.ts";
import { storiesPath, testConfig, withEngine } from "./helpers.ts";

describe("speed monitor", () => {
  const settings = { windowRequests: 4, minRequests: 3, minTokens: 30, slowFactor: 0.2 };

  it("judges a full window, token-weighted, against the calibrated speed", () => {
    const monitor = new SpeedMonitor(settings, 1000);
    // 100 tok/s: far below 1000, but two requests are too few to judge.
    expect(monitor.record({ tokens: 20, ms: 200 })).toBeNull();
    expect(monitor.record({ tokens: 20, ms: 200 })).toBeNull();
    expect(monitor.record({ tokens: 20, ms: 200 })).toEqual({ recentTokensPerSecond: 100, expectedTokensPerSecond: 1000, requests: 3, tokens: 60 });
    // Weighted by tokens: one long fast request outweighs short slow ones (60 + 400 tokens in 0.6 + 0.5 s).
    expect(monitor.record({ tokens: 400, ms: 500 })).toBeNull();
    expect(monitor.recent()).toMatchObject({ requests: 4, tokens: 460 });
    expect(monitor.recent().tokensPerSecond).toBeCloseTo(460 / 1.1, 6);
    // The window keeps the last four requests only.
    for (let i = 0; i < 4; i++) monitor.record({ tokens: 50, ms: 100 });
    expect(monitor.recent()).toMatchObject({ requests: 4, tokens: 200, tokensPerSecond: 500 });
  });

  it("needs enough tokens, ignores empty samples, and judges nothing without a promise", () => {
    const few = new SpeedMonitor(settings, 1000);
    for (let i = 0; i < 4; i++) expect(few.record({ tokens: 5, ms: 100 })).toBeNull();
    expect(few.record({ tokens: 0, ms: 100 })).toBeNull();
    expect(few.recent().requests).toBe(4);
    const explicit = new SpeedMonitor(settings, null);
    for (let i = 0; i < 4; i++) expect(explicit.record({ tokens: 50, ms: 1000 })).toBeNull();
    expect(explicit.recent().tokensPerSecond).toBe(50);
    // A new calibration starts a new window.
    explicit.reset(1000);
    expect(explicit.recent()).toMatchObject({ requests: 0, tokens: 0, tokensPerSecond: null });
    expect(explicit.expectedTokensPerSecond).toBe(1000);
  });
});

/** A stored calibration promising far more than this machine decodes (what a fooled sweep leaves). */
function fooledRecord(threads: number, layout: { sequences: number; batching: "isolated" }): CalibrationRecord {
  return {
    version: 2,
    threads,
    sweep: [
      { threads: 1, tokensPerSecond: threads === 1 ? 5_000_000 : 1058, parallelTokensPerSecond: threads === 1 ? 9_000_000 : 1100, windows: [] },
      { threads: 2, tokensPerSecond: 5_000_000, parallelTokensPerSecond: 9_000_000, windows: [] },
    ],
    at: new Date().toISOString(),
    reason: "first use",
    method: { windowMs: 25, rounds: 1, minGain: 0.1, layout, candidates: [1, 2] },
    ms: 50,
  };
}

const layout = { sequences: 2, batching: "isolated" as const };
const storiesSha = createHash("sha256").update(readFileSync(storiesPath)).digest("hex");

/** A two-sequence model with thread calibration on, over short windows (`calibration` adds to them). */
function calibratingConfig(calibration: Record<string, number> = {}) {
  const config = testConfig(
    [{ id: "m", source: storiesPath, threads: "auto", contextSize: 256, sequences: layout.sequences }],
    { features: { threadCalibration: true }, calibration: { windowMs: 100, rounds: 1, windowRequests: 4, minRequests: 2, minTokens: 8, ...calibration } },
  );
  return { config, calibrationFile: path.join(config.paths.cacheDir, "thread-calibration.json") };
}

/** Stores a fooled calibration at `threads` for the model, as an earlier sweep would have: its key and record. */
function storeFooled(engine: { hardware: Parameters<typeof machineKey>[0] }, calibrationFile: string, threads: number) {
  const key = calibrationKey(machineKey(engine.hardware), storiesSha, 0, layout);
  const fooled = fooledRecord(threads, layout);
  mkdirSync(path.dirname(calibrationFile), { recursive: true });
  writeFileSync(calibrationFile, JSON.stringify({ [key]: fooled }));
  return { key, fooled };
}

describe("threads in service", () => {
  it("re-calibrates a model whose requests decode far below its calibration, rebuilds it at the new count, and says so", async () => {
    // minGain 10: the measurement keeps 1 thread whatever this machine does, so the change below is certain.
    const { config, calibrationFile } = calibratingConfig({ minGain: 10 });
    const logs: string[] = [];
    await withEngine(
      config,
      async (engine) => {
        // A calibration fooled by a quiet moment: 2 threads, promised far faster than any request will be.
        const { key } = storeFooled(engine, calibrationFile, 2);
        const threads = async () => (await engine.describe()).models[0]!;

        await engine.complete({ prompt: "Once upon a time", maxTokens: 16, temperature: 0 });
        expect((await threads()).settings!.threads).toMatchObject({ value: 2, source: "cached" });
        await engine.complete({ prompt: "Once upon a time", maxTokens: 16, temperature: 0 });

        // The second request filled the window: the re-calibration runs now, holding the model's sequences.
        const deadline = Date.now() + 120_000;
        while ((await threads()).threadCalibration?.recalibrations.length !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        const model = await threads();
        expect(model.settings!.threads).toMatchObject({ value: 1, source: "calibrated" });
        const status = model.threadCalibration!;
        expect(status.recalibrations).toHaveLength(1);
        expect(status.recalibrations[0]).toMatchObject({ action: "re-calibrated", fromThreads: 2, toThreads: 1 });
        expect(status.recalibrations[0]!.reason).toMatch(/^slow in service: [\d.]+ tok\/s per request over the last 2 requests against at least 4500000 calibrated at 2 threads$/);
        expect(status.calibration).toMatchObject({ threads: 1, source: "calibrated", windowMs: 100, reason: status.recalibrations[0]!.reason });
        // The new promise is a real measurement; the window starts afresh.
        expect(status.calibration!.expectedPerRequest).toBeLessThan(1_000_000);
        expect(status.service).toBeNull();
        expect(logs.some((l) => /^warn: model "m": slow in service: .* measuring threads again$/.test(l))).toBe(true);
        expect(logs.some((l) => /^info: model "m": threads re-calibrated in \d+ ms \(slow in service: .*\): .*; threads 2 -> 1$/.test(l))).toBe(true);

        // The rebuilt contexts serve, both sequences at once.
        const [a, b] = await Promise.all([1, 2].map((seed) => engine.complete({ prompt: "Once upon a time", maxTokens: 16, seed })));
        expect(a!.tokens).toBeGreaterThan(0);
        expect(b!.tokens).toBeGreaterThan(0);
        expect((await threads()).threadCalibration!.service).toMatchObject({ live: true, requests: 2 });

        const stored = JSON.parse(readFileSync(calibrationFile, "utf8")) as Record<string, CalibrationRecord>;
        expect(stored[key]).toMatchObject({ threads: 1, reason: status.recalibrations[0]!.reason });
        const service = JSON.parse(readFileSync(path.join(config.paths.cacheDir, "thread-service.json"), "utf8")) as Record<string, { recalibrations: unknown[] }>;
        expect(service[key]!.recalibrations).toEqual(status.recalibrations);
      },
      { logger: (level, message) => logs.push(`${level}: ${message}`) },
    );

    // `opus doctor`, another process, reads what the serving engine recorded.
    const doctor = await runCli(["doctor", "--config", config.configFile!], { cwd: path.dirname(config.configFile!), env: { OPUS_MODEL: undefined } });
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/threads {7}1 {9}cached \(measured \S+\)/);
    // 2 threads lost their first window alone, so they were not measured with both sequences.
    expect(doctor.stdout).toMatch(/calibration {3}1 threads \d+ tok\/s \(2 at once \d+\), 2 threads \d+ tok\/s -> 1 \(sustained 100 ms windows, 1 rounds; cached from .*, slow in service: /);
    // The two requests after the re-calibration, recorded when the engine closed.
    expect(doctor.stdout).toMatch(/in service {4}\d+ tok\/s per request over the last 2 requests \(\d+ tokens\), calibrated for at least \d+; recorded /);
    expect(doctor.stdout).toMatch(/re-calibrated .*: threads 2 -> 1 \(slow in service: /);
  });

  it("keeps one thread when requests are slow on it: fewer threads cannot help, the machine is busy", async () => {
    const { config, calibrationFile } = calibratingConfig();
    const logs: string[] = [];
    await withEngine(
      config,
      async (engine) => {
        const { key, fooled } = storeFooled(engine, calibrationFile, 1);
        for (let i = 0; i < 4; i++) await engine.complete({ prompt: "Once upon a time", maxTokens: 16, temperature: 0 });
        const status = (await engine.describe()).models[0]!.threadCalibration!;
        // Noticed once (the cooldown holds the next ones back), not measured again.
        expect(status.recalibrations).toHaveLength(1);
        expect(status.recalibrations[0]).toMatchObject({ action: "kept", fromThreads: 1, toThreads: 1 });
        expect(status.recalibrations[0]!.reason).toMatch(/^slow in service: .* calibrated at 1 threads$/);
        expect(status.calibration).toMatchObject({ threads: 1, source: "cached", at: fooled.at });
        expect(status.service).toMatchObject({ live: true, requests: 4 });
        expect(JSON.parse(readFileSync(calibrationFile, "utf8"))[key]).toEqual(fooled);
        expect(logs.filter((l) => l.includes("already on one thread, so the machine is busy: not measuring again"))).toHaveLength(1);
        expect(logs.some((l) => l.includes("measuring threads again"))).toBe(false);
      },
      { logger: (level, message) => logs.push(`${level}: ${message}`) },
    );
  });
});
