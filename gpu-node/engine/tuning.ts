// Auto-tuning from the hardware and the model's own GGUF metadata, using node-llama-cpp's resource
// estimates (GgufInsights): GPU layers, context size, parallel sequences and batch size that fit the
// memory budget. Explicit settings always win; the plan records which values were chosen and why.
import type { GgufInsights } from "node-llama-cpp";
import type { ModelConfig, NodeConfig } from "./config/schema.ts";
import { ModelTooLargeError } from "./errors.ts";
import { formatBytes, type MemoryBudget } from "./memory-budget.ts";

export type SettingSource = "explicit" | "auto" | "calibrated" | "cached" | "default";
export type Chosen<T> = { value: T; source: SettingSource; note?: string };

export type ResourceEstimate = { cpuRam: number; gpuVram: number };

export type ModelPlan = {
  gpuLayers: Chosen<number>;
  totalLayers: number;
  contextSize: Chosen<number>;
  batchSize: Chosen<number>;
  sequences: Chosen<number>;
  flashAttention: boolean | "auto";
  trainContextSize: number;
  /** node-llama-cpp's estimate for the weights and for the context at the chosen settings. */
  model: ResourceEstimate;
  context: ResourceEstimate;
  /** What the plan costs on the budgeted device (VRAM on a GPU, RAM on the CPU). */
  footprintBytes: number;
  /** The bytes this model could plan for: the node budget, or less when models[].maxMemory caps it. */
  capBytes: number;
  warnings: string[];
};

type Generation = NodeConfig["generation"];

/** llama.cpp pads contexts to multiples of 256; plans use the same steps. */
const contextStep = 256;

/** The context size node-llama-cpp actually allocates for a request (padded up below the training size). */
export function allocatedContextSize(requested: number, trainContextSize: number): number {
  const padded = Math.ceil(Math.max(2, requested) / contextStep) * contextStep;
  return requested <= trainContextSize && padded < trainContextSize ? padded : requested;
}

export function autoSequencesMax(generation: Generation, device: MemoryBudget["device"]): number {
  if (generation.autoSequencesMax !== "auto") return generation.autoSequencesMax;
  // Batched decoding pays off most on a GPU; on a CPU the gain is smaller and memory bandwidth is shared.
  return device === "gpu" ? 8 : 4;
}

export async function planModel(
  insights: GgufInsights,
  spec: ModelConfig,
  options: { budget: MemoryBudget; capBytes: number; generation: Generation },
): Promise<ModelPlan> {
  const { budget, capBytes, generation } = options;
  const onDevice = (estimate: ResourceEstimate) => (budget.device === "gpu" ? estimate.gpuVram : estimate.cpuRam);
  const totalLayers = insights.totalLayers;
  const trainContextSize = insights.trainContextSize ?? 4096;
  const flashAttention = spec.flashAttention;
  const warnings: string[] = [];

  const modelCost = (gpuLayers: number) => insights.estimateModelResourceRequirementsV2({ gpuLayers });
  const contextCost = (gpuLayers: number, contextSize: number, sequences: number, batchSize: number) =>
    insights.estimateContextResourceRequirementsV2({ contextSize, modelGpuLayers: gpuLayers, sequences, batchSize, flashAttention });
  const defaultBatch = (contextSize: number, sequences: number) => (spec.batchSize === "auto" ? Math.min(contextSize * sequences, 512) : spec.batchSize);
  const total = async (gpuLayers: number, contextSize: number, sequences: number) =>
    onDevice(await modelCost(gpuLayers)) + onDevice(await contextCost(gpuLayers, contextSize, sequences, defaultBatch(contextSize, sequences)));

  const minContext = Math.min(generation.autoContextSizeMin, trainContextSize);
  // A model trained on fewer tokens than autoContextSizeMin (the built-in 256-token one) still gets that
  // much: the pipeline's prompts need it, and running past the training context degrades the text less
  // than prompts cut to nothing.
  const targetContext =
    spec.contextSize === "auto" ? Math.max(Math.min(trainContextSize, generation.autoContextSizeMax), generation.autoContextSizeMin) : spec.contextSize;
  const planningContext = spec.contextSize === "auto" ? minContext : allocatedContextSize(spec.contextSize, trainContextSize);
  const planningSequences = spec.sequences === "auto" ? 1 : spec.sequences;

  // 1. GPU layers: as many as fit with the smallest useful context; on the CPU none.
  let gpuLayers: Chosen<number>;
  if (spec.gpuLayers === "max") gpuLayers = { value: budget.device === "gpu" ? totalLayers : 0, source: "explicit" };
  else if (typeof spec.gpuLayers === "number") gpuLayers = { value: budget.device === "gpu" ? Math.min(spec.gpuLayers, totalLayers) : 0, source: "explicit" };
  else if (budget.device === "cpu") gpuLayers = { value: 0, source: "auto", note: "no GPU" };
  else if ((await total(totalLayers, planningContext, planningSequences)) <= capBytes) gpuLayers = { value: totalLayers, source: "auto", note: "all layers fit" };
  else {
    let lo = 0;
    let hi = totalLayers;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if ((await total(mid, planningContext, planningSequences)) <= capBytes) lo = mid;
      else hi = mid - 1;
    }
    gpuLayers = { value: lo, source: "auto", note: `${lo}/${totalLayers} layers fit in VRAM` };
    if (lo === 0) warnings.push("no layer fits in the VRAM budget: the model runs on the CPU");
  }
  if (spec.gpuLayers !== "auto" && budget.device === "cpu" && spec.gpuLayers !== 0) warnings.push("gpuLayers is set but this node has no GPU backend: running on the CPU");

  // 2. Context size: the target, shrunk in 256-token steps until one sequence fits.
  let contextSize: Chosen<number>;
  if (spec.contextSize !== "auto") {
    const allocated = allocatedContextSize(spec.contextSize, trainContextSize);
    contextSize = { value: allocated, source: "explicit", ...(allocated !== spec.contextSize ? { note: `llama.cpp pads ${spec.contextSize} to ${allocated}` } : {}) };
  }
  else {
    let size = targetContext;
    while (size > minContext && (await total(gpuLayers.value, size, planningSequences)) > capBytes) {
      size = Math.max(minContext, Math.floor((size * 0.75) / contextStep) * contextStep || minContext);
    }
    const note =
      size < targetContext
        ? `shrunk from ${targetContext} to fit memory`
        : size > trainContextSize
          ? `raised to generation.autoContextSizeMin, past the ${trainContextSize}-token training context`
          : size < trainContextSize
            ? `capped at generation.autoContextSizeMax`
            : "training context";
    contextSize = { value: size, source: "auto", note };
  }

  // 3. Sequences: as many parallel sequences as fit, up to the cap.
  let sequences: Chosen<number>;
  if (spec.sequences !== "auto") sequences = { value: spec.sequences, source: "explicit" };
  else {
    const cap = autoSequencesMax(generation, budget.device);
    let n = 1;
    while (n < cap && (await total(gpuLayers.value, contextSize.value, n + 1)) <= capBytes) n++;
    sequences = { value: n, source: "auto", note: n === cap ? `cap of ${cap}` : "limited by memory" };
  }

  const batchSize: Chosen<number> =
    spec.batchSize === "auto" ? { value: defaultBatch(contextSize.value, sequences.value), source: "auto" } : { value: spec.batchSize, source: "explicit" };

  const model = await modelCost(gpuLayers.value);
  const context = await contextCost(gpuLayers.value, contextSize.value, sequences.value, batchSize.value);
  const footprintBytes = onDevice(model) + onDevice(context);
  if (footprintBytes > capBytes) {
    const anyAuto = spec.contextSize === "auto" || spec.sequences === "auto";
    const message =
      `Model "${spec.id}" needs ${formatBytes(footprintBytes)} of ${budget.device === "gpu" ? "VRAM" : "RAM"} ` +
      `(context ${contextSize.value} x ${sequences.value} sequences) but the budget is ${formatBytes(capBytes)}.`;
    if (anyAuto && spec.contextSize === "auto" && contextSize.value <= minContext) {
      throw new ModelTooLargeError(`${message} Raise memory.budget, lower generation.autoContextSizeMin, or use a smaller quantization.`);
    }
    // Explicit settings win, even past the budget: the pool then runs this model alone.
    warnings.push(`${message} Explicit settings are kept; the model will run alone.`);
  }
  return { gpuLayers, totalLayers, contextSize, batchSize, sequences, flashAttention, trainContextSize, model, context, footprintBytes, capBytes, warnings };
}
