// What the node runs on: CPU, RAM, and the GPU as node-llama-cpp sees it (backend, devices, VRAM).
import os from "node:os";
import type { Llama } from "node-llama-cpp";

export type Hardware = {
  cpuModel: string;
  /** Logical CPUs the OS reports. */
  cpuCores: number;
  /** CPU cores node-llama-cpp considers useful for math (physical, performance cores). */
  cpuMathCores: number;
  ramTotalBytes: number;
  ramFreeBytes: number;
  /** "cuda", "vulkan", "metal", or false for the CPU build. */
  gpu: "cuda" | "vulkan" | "metal" | false;
  gpuDevices: string[];
  vramTotalBytes: number;
  vramFreeBytes: number;
  /** Memory shared by CPU and GPU (Apple silicon and other SoCs); 0 on discrete GPUs. */
  unifiedMemoryBytes: number;
  supportsGpuOffloading: boolean;
  /** Memory node-llama-cpp keeps free for estimation error; budgets leave it alone. */
  vramPaddingBytes: number;
  ramPaddingBytes: number;
  llamaCppRelease: string;
  buildType: "localBuild" | "prebuilt";
};

export async function detectHardware(llama: Llama): Promise<Hardware> {
  const cpus = os.cpus();
  const ram = await llama.getRamState();
  const gpu = llama.gpu;
  const vram = gpu === false ? { total: 0, free: 0, unifiedSize: 0 } : await llama.getVramState();
  const gpuDevices = gpu === false ? [] : await llama.getGpuDeviceNames();
  return {
    cpuModel: (cpus[0]?.model ?? "unknown").trim(),
    cpuCores: cpus.length,
    cpuMathCores: llama.cpuMathCores,
    ramTotalBytes: ram.total,
    ramFreeBytes: ram.free,
    gpu,
    gpuDevices,
    vramTotalBytes: vram.total,
    vramFreeBytes: vram.free,
    unifiedMemoryBytes: vram.unifiedSize,
    supportsGpuOffloading: llama.supportsGpuOffloading,
    vramPaddingBytes: gpu === false ? 0 : llama.vramPaddingSize,
    ramPaddingBytes: llama.ramPaddingSize,
    llamaCppRelease: llama.llamaCppRelease.release,
    buildType: llama.buildType,
  };
}

/** Identifies a machine for calibration caches: the same CPU model and core count behave alike. */
export function machineKey(hardware: Hardware): string {
  return `${hardware.cpuModel}|${hardware.cpuCores}c|${hardware.gpu || "cpu"}|${hardware.gpuDevices.join("+")}`;
}
