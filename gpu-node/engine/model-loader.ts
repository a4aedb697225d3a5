// Loading one model for serving: the weights with the planned GPU layers, the thread count (explicit,
// calibrated, or cached calibration), and the contexts whose sequences the scheduler hands out: one
// context of N sequences ("shared" batching) or N contexts of one sequence ("isolated").
import { resolveChatWrapper, type ChatWrapper, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel } from "node-llama-cpp";
import type { ModelConfig, NodeConfig } from "./config/schema.ts";
import { machineKey, type Hardware } from "./hardware.ts";
import { calibrateThreads, type ThreadCalibration } from "./thread-calibration.ts";
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
  const calibration = await calibrateThreads(model, {
    cacheDir: config.paths.cacheDir,
    machineKey: machineKey(hardware),
    modelSha256: await args.sha256(),
    cores: hardware.cpuCores,
    tokens: config.calibration.tokens,
    maxMsPerSetting: config.calibration.maxMsPerSetting,
    rounds: config.calibration.rounds,
  });
  const best = calibration.sweep.find((p) => p.threads === calibration.threads);
  const note = best ? `${best.tokensPerSecond.toFixed(0)} tok/s in a sweep of ${calibration.sweep.map((p) => p.threads).join(",")}` : undefined;
  return { threads: { value: calibration.threads, source: calibration.source, ...(note ? { note } : {}) }, calibration };
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
    const create = (sequences: number) =>
      model.createContext({
        contextSize: plan.contextSize.value,
        batchSize: plan.batchSize.value,
        sequences,
        threads: threads.value,
        flashAttention: plan.flashAttention,
        // The plan fitted the budget already; a shrunk context would break the plan's promises.
        failedCreationRemedy: false,
      });
    const contexts: LlamaContext[] = [];
    try {
      if (isolated) for (let i = 0; i < plan.sequences.value; i++) contexts.push(await create(1));
      else contexts.push(await create(plan.sequences.value));
    } catch (error) {
      for (const c of contexts) await c.dispose();
      throw error;
    }
    const freeSequences = isolated ? contexts.map((c) => c.getSequence()) : Array.from({ length: plan.sequences.value }, () => contexts[0]!.getSequence());
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
