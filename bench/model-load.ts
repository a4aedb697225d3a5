// Model load, eviction and reload through the engine's pool, with a memory budget that holds one of
// the two test models: load A, load B (evicting A), reload A (evicting B), and explicit unloads, each
// timed over several rounds. Figures are medians in milliseconds, with reload / first load as a ratio.
// Run: npx tsx bench/model-load.ts   (OPUS_BENCH_MODEL / OPUS_BENCH_MODEL_B=<gguf>, OPUS_GPU=false|auto)
import os from "node:os";
import path from "node:path";
import { createEngine } from "../gpu-node/engine/index.ts";
import { nodeConfigSchema, type NodeConfig } from "../gpu-node/config/index.ts";
import { percentile, report, type Row } from "./report.ts";
import { benchModelPath } from "./bench-model.ts";
import { randomModelPath } from "../test/support/models.ts";

const a = benchModelPath();
// B: the random-weights test model, written by our own GGUF writer.
const b = path.resolve(process.env.OPUS_BENCH_MODEL_B ?? randomModelPath);
const gpu = process.env.OPUS_GPU === "false" ? false : "auto";
const ROUNDS = Number(process.env.OPUS_BENCH_ROUNDS ?? 5);

function configFor(budget: number | "auto"): NodeConfig {
  return {
    ...nodeConfigSchema.parse({
      gpu,
      logLevel: "error",
      memory: { budget },
      models: [
        { id: "a", source: a, threads: 1, contextSize: 512, sequences: 2 },
        { id: "b", source: b, threads: 1, contextSize: 512, sequences: 2 },
      ],
      features: { threadCalibration: false, responseCache: false, processMetrics: false },
      paths: { cacheDir: path.join(os.tmpdir(), "opus-bench-cache") },
    }),
    configFile: null,
  };
}

// The plans' own estimates decide the budget: room for the larger model, not for both.
const probe = await createEngine(configFor("auto"));
const sizeA = (await probe.plan("a")).footprintBytes;
const sizeB = (await probe.plan("b")).footprintBytes;
await probe.close();
const budget = Math.max(sizeA, sizeB) + Math.floor(Math.min(sizeA, sizeB) / 2);

const engine = await createEngine(configFor(budget));
await engine.plan("a");
await engine.plan("b");
const timings: Record<string, number[]> = { firstLoadA: [], loadBEvictingA: [], reloadAEvictingB: [], unloadA: [], loadAEmpty: [] };
const time = async (name: string, work: () => Promise<unknown>) => {
  const start = performance.now();
  await work();
  timings[name]!.push(performance.now() - start);
};
const state = (id: string) => engine.stats().models.find((m) => m.id === id)!.state;

for (let round = 0; round < ROUNDS; round++) {
  await time(round === 0 ? "firstLoadA" : "loadAEmpty", () => engine.loadModel("a"));
  await time("loadBEvictingA", () => engine.loadModel("b"));
  if (state("a") !== "unloaded") throw new Error("a was not evicted: the budget holds both");
  await time("reloadAEvictingB", () => engine.loadModel("a"));
  await time("unloadA", () => engine.unloadModel("a"));
}

const median = (name: string) => percentile(timings[name]!, 50);
const rows: Row[] = Object.keys(timings).map((name) => ({ step: name, medianMs: Number(median(name).toFixed(1)), runs: timings[name]!.length }));
const evictions = engine.stats().models.map((m) => `${m.id}:${m.evictions}`).join(" ");
report("model-load", rows, {
  budgetBytes: budget,
  footprintA: sizeA,
  footprintB: sizeB,
  evictions,
  reloadOverFirstLoad: Number((median("reloadAEvictingB") / median("firstLoadA")).toFixed(2)),
  loadWithEvictionOverEmptyLoad: Number((median("reloadAEvictingB") / median("loadAEmpty")).toFixed(2)),
});
await engine.close();
