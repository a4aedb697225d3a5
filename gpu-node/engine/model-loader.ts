// Loading one model for serving: the weights with the planned GPU layers, the thread count (explicit,
// calibrated, or cached calibration), and the contexts whose sequences the scheduler hands out: one
// context of N sequences ("shared" batching) or N contexts of one sequence ("isolated").
import { resolveChatWrapper, type ChatWrapper, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel } from "node-llama-cpp";
import type { ModelConfig, NodeConfig } from "./config/schema.ts";
import type { Hardware } from "./hardware.ts";
import { calibrateThreads, calibrationOptionsFor, choiceNote, type ThreadCalibration } from "./thread-calibration.ts";
import type { Chosen, ModelPlan } from "./tuning.ts";

export type LoadedModel = {
  model: LlamaModel;
  contexts: LlamaContext[];
  /** Each request starts from a clean sequence (no reuse of an earlier prompt's state). */
  freshState: boolean;
  /** Sequences not generating now; the scheduler pops and pushes them. */
  freeSequences: LlamaContextSequence[];
  threads: Chosen<number>;
  calibration: ThreadCalibration | null;
  /** The context size llama.cpp actually allocated per sequence (padded up from the plan). */
  contextSize: number;
  chatWrapper: ChatWrapper;
  loadMs: number;
};

export type LoadArgs = {
  llama: Llama;
  spec: ModelConfig;
  filePath: string;
  plan: ModelPlan;
  config: NodeConfig;
  hardware: Hardware;
  sha256: () => Promise<string>;
  signal?: AbortSignal;
};

async function chooseThreads(model: LlamaModel, args: LoadArgs): Promise<{ threads: Chosen<number>; calibration: ThreadCalibration | null }> {
  const { spec, config, hardware } = args;
  if (spec.threads !== "auto") return { threads: { value: spec.threads, source: "explicit" }, calibration: null };
  if (!config.features.threadCalibration) {
    return { threads: { value: hardware.cpuMathCores, source: "default", note: "features.threadCalibration is off" }, calibration: null };
  }
  const calibration = await calibrateThreads(model, calibrationOptionsFor({ config, hardware, plan: args.plan, modelSha256: await args.sha256() }));
  return { threads: { value: calibration.threads, source: calibration.source, note: choiceNote(calibration) }, calibration };
}

/** The contexts whose sequences the scheduler hands out, at `threads` (also used when threads are re-calibrated). */
export async function createServingContexts(
  model: LlamaModel,
  plan: ModelPlan,
  threads: number,
  batching: NodeConfig["generation"]["batching"],
): Promise<{ contexts: LlamaContext[]; freeSequences: LlamaContextSequence[] }> {
  const create = (sequences: number) =>
    model.createContext({
      contextSize: plan.contextSize.value,
      batchSize: plan.batchSize.value,
      sequences,
      threads,
      flashAttention: plan.flashAttention,
      // The plan fitted the budget already; a shrunk context would break the plan's promises.
      failedCreationRemedy: false,
    });
  const isolated = batching === "isolated";
  const contexts: LlamaContext[] = [];
  try {
    if (isolated) for (let i = 0; i < plan.sequences.value; i++) contexts.push(await create(1));
    else contexts.push(await create(plan.sequences.value));
  } catch (error) {
    for (const c of contexts) await c.dispose();
    throw error;
  }
  const freeSequences = isolated ? contexts.map((c) => c.getSequence()) : Array.from({ length: plan.sequences.value }, () => contexts[0]!.getSequence());
  return { contexts, freeSequences };
}

export async function loadForServing(args: LoadArgs): Promise<LoadedModel> {
  const { llama, spec, filePath, plan } = args;
  const start = performance.now();
  const model = await llama.loadModel({
    modelPath: filePath,
    gpuLayers: plan.gpuLayers.value,
    defaultContextFlashAttention: plan.flashAttention,
    ...(args.signal ? { loadSignal: args.signal } : {}),
  });
  try {
    const { threads, calibration } = await chooseThreads(model, args);
    const isolated = args.config.generation.batching === "isolated";
    const { contexts, freeSequences } = await createServingContexts(model, plan, threads.value, args.config.generation.batching);
    const chatWrapper = resolveChatWrapper(model, { type: spec.chatWrapper as "auto", warningLogs: false });
    return {
      model,
      contexts,
      freshState: isolated,
      freeSequences,
      threads,
      calibration,
      contextSize: contexts[0]!.contextSize,
      chatWrapper,
      loadMs: performance.now() - start,
    };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

export async function unloadModel(loaded: LoadedModel): Promise<void> {
  for (const context of loaded.contexts) await context.dispose();
  await loaded.model.dispose();
}
