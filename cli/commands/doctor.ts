// `opus doctor`: what the GPU node detected (CPU, RAM, GPU, VRAM) and chose for each model (context,
// sequences, batch, GPU layers, threads), and whether each value was set explicitly or tuned.
import type { Command } from "commander";
import type { Chosen, EngineDescription, ModelDescription } from "../../gpu-node/engine/index.ts";
import { loadNodeConfig, noModelMessage } from "../../gpu-node/config/index.ts";
import { formatBytes } from "../../gpu-node/engine/memory-budget.ts";

type DoctorOptions = { config?: string; profile?: "development" | "production"; json?: boolean; calibrate?: boolean; health?: boolean };

function chosen(value: Chosen<number | null>, extra = ""): string {
  const shown = value.value === null ? "-" : `${value.value}${extra}`;
  return `${shown.padEnd(10)}${value.source}${value.note ? ` (${value.note})` : ""}`;
}

function hardwareLines(d: EngineDescription): string[] {
  const h = d.hardware;
  const gpu =
    h.gpu === false
      ? `none: CPU build of llama.cpp ${h.llamaCppRelease} (${h.buildType})`
      : `${h.gpu}: ${h.gpuDevices.join(", ") || "unnamed device"}, ${formatBytes(h.vramTotalBytes)} VRAM (${formatBytes(h.vramFreeBytes)} free)` +
        (h.unifiedMemoryBytes > 0 ? `, ${formatBytes(h.unifiedMemoryBytes)} unified` : "");
  const budgetSource = d.budget.source === "auto" ? "auto: share of free memory at start" : "memory.budget";
  return [
    "Hardware",
    `  CPU        ${h.cpuModel}, ${h.cpuCores} logical cores (${h.cpuMathCores} used for math)`,
    `  RAM        ${formatBytes(h.ramTotalBytes)} total, ${formatBytes(h.ramFreeBytes)} free`,
    `  GPU        ${gpu}`,
    `  Budget     ${formatBytes(d.budget.bytes)} of ${d.budget.device === "gpu" ? "VRAM" : "RAM"} for loaded models (${budgetSource})`,
  ];
}

/** When and why the threads were measured, at what speed, how fast requests decoded since, and each re-calibration. */
function threadLines(m: ModelDescription): string[] {
  const t = m.threadCalibration;
  if (!t) return [];
  const lines: string[] = [];
  if (t.calibration) {
    const c = t.calibration;
    lines.push(
      `    calibration   ${c.sweep} (sustained ${c.windowMs} ms windows, ${c.rounds} rounds; ${c.source} from ${c.at}, ${c.reason})`,
    );
  }
  if (t.service) {
    const s = t.service;
    const expected = t.calibration?.expectedPerRequest;
    const speed = s.tokensPerSecond === null ? "-" : `${s.tokensPerSecond.toFixed(0)} tok/s`;
    lines.push(
      `    in service    ${speed} per request over the last ${s.requests} requests (${s.tokens} tokens)` +
        `${expected ? `, calibrated for at least ${expected.toFixed(0)}` : ""}; ${s.live ? "this process" : `recorded ${s.at}`}`,
    );
  }
  for (const r of t.recalibrations) {
    if (r.action === "kept") lines.push(`    slow          ${r.at}: kept 1 thread, the machine is busy (${r.reason})`);
    else lines.push(`    re-calibrated ${r.at}: threads ${r.fromThreads} -> ${r.toThreads} (${r.reason})`);
  }
  return lines;
}

function modelLines(m: ModelDescription): string[] {
  const lines = [`  ${m.id}${m.roles.length ? `  [${m.roles.join(", ")}]` : ""}  ${m.file ?? m.source}`];
  if (m.error) return [...lines, `    error: ${m.error}`];
  const s = m.settings!;
  const mem = m.memory!;
  lines.push(
    `    context size  ${chosen(s.contextSize)}${m.trainContextSize ? `, trained on ${m.trainContextSize}` : ""}`,
    `    sequences     ${chosen(s.sequences)}`,
    `    batch size    ${chosen(s.batchSize)}`,
    `    GPU layers    ${chosen(s.gpuLayers, `/${s.gpuLayers.totalLayers}`)}`,
    `    threads       ${chosen(s.threads)}`,
    ...threadLines(m),
    `    memory        ${formatBytes(mem.footprintBytes)} estimated on the budgeted device (RAM: model ${formatBytes(mem.modelRam)}, context ${formatBytes(mem.contextRam)}; VRAM: model ${formatBytes(mem.modelVram)}, context ${formatBytes(mem.contextVram)})`,
    `    chat wrapper  ${m.chatWrapper ?? "-"}`,
    `    prompting     ${m.promptStyle ?? "-"}`,
  );
  for (const warning of m.warnings) lines.push(`    warning: ${warning}`);
  return lines;
}

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("print the GPU node's detected hardware and the settings chosen for each model")
    .option("--config <file>", "configuration file (default: OPUS_CONFIG or ./opus.config.json)")
    .option("--profile <name>", "development or production (default: OPUS_PROFILE, the file, or NODE_ENV)")
    .option("--calibrate", "run the thread sweep now for models with threads \"auto\" (loads them)")
    .option("--health", "generate one token with the default generator")
    .option("--json", "print the description as JSON")
    .action(async (opts: DoctorOptions) => {
      const config = loadNodeConfig({ file: opts.config, profile: opts.profile, requireModel: false });
      // The engine (native llama.cpp) loads only when this command runs.
      const { createEngine } = await import("../../gpu-node/engine/engine.ts");
      const { describeSweep } = await import("../../gpu-node/engine/thread-calibration.ts");
      const engine = await createEngine(config, { logger: () => undefined });
      let failed = false;
      try {
        if (opts.calibrate) {
          for (const model of config.models) {
            if (model.threads !== "auto") continue;
            const result = await engine.calibrateThreads(model.id, { force: true, reason: "opus doctor --calibrate" });
            process.stderr.write(`calibrated ${model.id} in ${(result.ms / 1000).toFixed(1)} s: ${describeSweep(result)}\n`);
          }
        }
        const description = await engine.describe();
        const health = opts.health && config.models.length > 0 ? await engine.health() : null;
        failed = config.models.length === 0 || description.models.some((m) => m.error) || (health !== null && !health.ok);
        if (opts.json) {
          process.stdout.write(JSON.stringify({ ...description, ...(health ? { health } : {}) }, null, 2) + "\n");
          return;
        }
        const lines = [
          `Opus GPU node: profile ${description.profile}, config ${description.configFile ?? "none (defaults and OPUS_* environment)"}`,
          "",
          ...hardwareLines(description),
          "",
          "Models",
          ...(description.models.length === 0 ? [`  none. ${noModelMessage}`] : description.models.flatMap(modelLines)),
          "",
          `Queue        ${description.queue.maxWaiting} waiting at most, ${description.queue.maxWaitMs} ms longest wait`,
          `Cache        ${description.cache.memoryEntries} answers in memory${description.cache.persistent ? ", persistent in the node database" : ""} (seeded requests only)`,
        ];
        if (health) lines.push(`Health       ${health.ok ? `ok: one token from ${health.model} in ${health.tokenMs?.toFixed(0)} ms` : `FAILED: ${health.error}`}`);
        process.stdout.write(lines.join("\n") + "\n");
      } finally {
        await engine.close();
      }
      if (failed) process.exitCode = 1;
    });
}
