// The memory all loaded models may use together: VRAM when layers go to a GPU, RAM on the CPU.
import { percentPattern, sizePattern } from "./config/schema.ts";
import type { Hardware } from "./hardware.ts";

export type MemoryBudget = {
  device: "gpu" | "cpu";
  bytes: number;
  source: "auto" | "explicit";
};

const units: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/** A size setting: bytes, or a share of something else ("90%"). Validated by the schema beforehand. */
export function parseSize(value: number | string): { bytes: number } | { share: number } {
  if (typeof value === "number") return { bytes: value };
  const percent = percentPattern.exec(value);
  if (percent) return { share: Number(percent[1]) / 100 };
  const size = sizePattern.exec(value);
  if (!size) throw new Error(`not a size: ${value}`);
  return { bytes: Math.floor(Number(size[1]) * (units[(size[2] ?? "b").toLowerCase()] ?? 1)) };
}

export function resolveMemoryBudget(memory: { budget: number | string; autoFraction: number }, hardware: Hardware): MemoryBudget {
  const device = hardware.gpu !== false && hardware.supportsGpuOffloading ? "gpu" : "cpu";
  // node-llama-cpp refuses loads that would eat into its padding, so a budget never counts it.
  const free = Math.max(0, device === "gpu" ? hardware.vramFreeBytes - hardware.vramPaddingBytes : hardware.ramFreeBytes - hardware.ramPaddingBytes);
  if (memory.budget === "auto") return { device, bytes: Math.floor(free * memory.autoFraction), source: "auto" };
  const parsed = parseSize(memory.budget);
  if ("share" in parsed) return { device, bytes: Math.floor(free * parsed.share), source: "explicit" };
  return { device, bytes: parsed.bytes, source: "explicit" };
}

/** A model's own cap inside the node budget: "auto" is the whole budget, "50%" half of it. */
export function resolveModelMemoryCap(maxMemory: number | string, budget: MemoryBudget): number {
  if (maxMemory === "auto") return budget.bytes;
  const parsed = parseSize(maxMemory);
  if ("share" in parsed) return Math.floor(budget.bytes * parsed.share);
  return Math.min(parsed.bytes, budget.bytes);
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const steps = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let step = 0;
  while (Math.abs(value) >= 1024 && step < steps.length - 1) {
    value /= 1024;
    step++;
  }
  return `${value.toFixed(step === 0 ? 0 : 1)} ${steps[step]}`;
}
