// Shared setup for engine tests: a real config file in a temp folder, loaded by the real loader,
// with the CPU backend and threads: 1 (more threads ran hundreds of times slower on the test machine).
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createEngine, type Engine } from "../../gpu-node/engine/index.ts";
import { loadNodeConfig, type NodeConfig } from "../../gpu-node/config/index.ts";
import { randomModelPath, testModelPath } from "../support/models.ts";

export const storiesPath = testModelPath;
export const randomPath = randomModelPath;

export function tempDir(prefix = "opus-engine-"): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

type ModelInput = Record<string, unknown> & { id: string; source: string };

/** Writes opus.config.json in a fresh folder and loads it with an empty environment. */
export function testConfig(models: ModelInput[], settings: Record<string, unknown> = {}, env: Record<string, string> = {}): NodeConfig {
  const dir = tempDir();
  const file = path.join(dir, "opus.config.json");
  const config = {
    gpu: false,
    logLevel: "error",
    ...settings,
    features: { threadCalibration: false, processMetrics: false, ...((settings.features as object | undefined) ?? {}) },
    paths: { cacheDir: path.join(dir, "cache"), modelsDir: path.join(dir, "models"), database: path.join(dir, "node.db") },
    models: models.map((m) => ({ threads: 1, ...m })),
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return loadNodeConfig({ file, env, cwd: dir });
}

export async function withEngine<T>(config: NodeConfig, body: (engine: Engine) => Promise<T>, options: Parameters<typeof createEngine>[1] = {}): Promise<T> {
  const engine = await createEngine(config, options);
  try {
    return await body(engine);
  } finally {
    await engine.close();
  }
}

/** Reads one sample of a metric from the engine's Prometheus text. */
export async function metricValue(engine: Engine, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await engine.metricsRegistry.getSingleMetric(name)?.get();
  if (!metric) return Number.NaN;
  const sample = metric.values.find((v) => Object.entries(labels).every(([k, value]) => String((v.labels as Record<string, unknown>)[k]) === value));
  return sample?.value ?? 0;
}
