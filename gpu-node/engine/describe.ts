// What the engine reports about its models: for `opus doctor` (their settings and
// where each came from, the memory plan), and the reproducibility record of one model (file, hash).
// It reads and prepares; it never loads weights, and never starts a download.
import { resolveModelFile } from "node-llama-cpp";
import type { NodeConfig } from "./config/schema.ts";
import type { FileHasher } from "./file-hash.ts";
import type { Hardware } from "./hardware.ts";
import type { MemoryBudget } from "./memory-budget.ts";
import { isRemoteModelSource } from "./model-source.ts";
import type { ModelPool, PooledModel, PooledModelState, PreparedModel } from "./model-pool.ts";
import type { ThreadStatus, ThreadTuner } from "./thread-tuner.ts";
import type { Chosen, SettingSource } from "./tuning.ts";

export type ModelDescription = {
  id: string;
  roles: string[];
  source: string;
  file: string | null;
  state: PooledModelState;
  loads: number;
  evictions: number;
  activeSequences: number;
  settings: {
    contextSize: Chosen<number>;
    batchSize: Chosen<number>;
    sequences: Chosen<number>;
    gpuLayers: Chosen<number> & { totalLayers: number };
    threads: Chosen<number | null>;
  } | null;
  /** The thread calibration (when, why, figures), the decoding speed seen in service, re-calibrations. */
  threadCalibration: ThreadStatus | null;
  memory: { footprintBytes: number; capBytes: number; modelRam: number; modelVram: number; contextRam: number; contextVram: number } | null;
  trainContextSize: number | null;
  chatWrapper: string | null;
  /** How the pipeline prompts this model (see Engine.promptStyle). */
  promptStyle: "chat" | "completion" | null;
  warnings: string[];
  /** Why the model could not be prepared (missing file, offline download, too large). */
  error?: string;
};

export type EngineDescription = {
  profile: NodeConfig["profile"];
  configFile: string | null;
  hardware: Hardware;
  budget: MemoryBudget;
  models: ModelDescription[];
  queue: NodeConfig["queue"];
  features: NodeConfig["features"];
  cache: { memoryEntries: number; persistent: boolean };
};

export type ModelInfo = {
  id: string;
  roles: string[];
  source: string;
  file: string;
  sha256: string;
  sizeBytes: number;
  name: string | null;
  architecture: string | null;
  fileType: string | null;
  trainContextSize: number;
  contextSize: number;
  sequences: number;
  gpuLayers: number;
  threads: number | null;
};

/** A chat template in the GGUF file, or a wrapper named in the config, marks a chat model. */
export function promptStyleOf(spec: { chatWrapper: string }, prepared: PreparedModel): "chat" | "completion" {
  return spec.chatWrapper !== "auto" || prepared.chatTemplate ? "chat" : "completion";
}

export type DescriberDeps = { config: NodeConfig; hardware: Hardware; budget: MemoryBudget; pool: ModelPool; hasher: FileHasher; persistentCache: boolean; threads: ThreadTuner };

export class Describer {
  constructor(private readonly deps: DescriberDeps) {}

  async describe(resolveThreads: boolean): Promise<EngineDescription> {
    const { config, hardware, budget, pool } = this.deps;
    const models: ModelDescription[] = [];
    for (const model of pool.models.values()) models.push(await this.describeModel(model, resolveThreads));
    return {
      profile: config.profile,
      configFile: config.configFile,
      hardware,
      budget,
      models,
      queue: config.queue,
      features: config.features,
      cache: { memoryEntries: config.cache.memoryEntries, persistent: this.deps.persistentCache },
    };
  }

  async modelInfo(model: PooledModel): Promise<ModelInfo> {
    const prepared = await this.deps.pool.prepare(model);
    const sha256 = await model.sha256(this.deps.hasher, prepared.filePath);
    const metadata = prepared.insights.ggufFileInfo.metadata;
    const general = metadata?.general as { name?: string; architecture?: string; file_type?: number } | undefined;
    const fileType = general?.file_type;
    return {
      id: model.id,
      roles: model.spec.roles,
      source: model.spec.source,
      file: prepared.filePath,
      sha256,
      sizeBytes: prepared.insights.modelSize,
      name: general?.name ?? null,
      architecture: general?.architecture ?? null,
      fileType: fileType === undefined ? null : String(fileType),
      trainContextSize: prepared.plan.trainContextSize,
      contextSize: model.loaded?.contextSize ?? prepared.plan.contextSize.value,
      sequences: prepared.plan.sequences.value,
      gpuLayers: prepared.plan.gpuLayers.value,
      threads: model.loaded?.threads.value ?? (model.spec.threads === "auto" ? null : model.spec.threads),
    };
  }

  private async threadsFor(model: PooledModel, resolve: boolean): Promise<Chosen<number | null>> {
    const { config, hardware } = this.deps;
    if (model.loaded) return model.loaded.threads;
    if (model.spec.threads !== "auto") return { value: model.spec.threads, source: "explicit" };
    if (!config.features.threadCalibration) return { value: hardware.cpuMathCores, source: "default", note: "features.threadCalibration is off" };
    if (resolve && model.prepared) {
      const cached = await this.deps.threads.storedCalibration(model);
      if (cached) return { value: cached.threads, source: "cached" as SettingSource, note: `measured ${cached.at}` };
    }
    return { value: null, source: "auto", note: "calibrated at first load (or `opus doctor --calibrate`)" };
  }

  private async describeModel(model: PooledModel, resolveThreads: boolean): Promise<ModelDescription> {
    const { config, pool } = this.deps;
    const base = {
      id: model.id,
      roles: model.spec.roles,
      source: model.spec.source,
      state: model.state,
      loads: model.loads,
      evictions: model.evictions,
      activeSequences: model.active,
    };
    const unprepared = (error: string): ModelDescription => ({ ...base, file: null, settings: null, threadCalibration: null, memory: null, trainContextSize: null, chatWrapper: null, promptStyle: null, warnings: [], error });
    if (!model.prepared && isRemoteModelSource(model.spec.source)) {
      // describe() must not start a multi-gigabyte download: report what is on disk.
      try {
        await resolveModelFile(model.spec.source, { directory: config.paths.modelsDir, download: false, cli: false });
      } catch {
        return unprepared(`not downloaded yet: ${model.spec.source} downloads to ${config.paths.modelsDir} at first use`);
      }
    }
    try {
      const prepared = await pool.prepare(model);
      const plan = prepared.plan;
      return {
        ...base,
        file: prepared.filePath,
        settings: {
          contextSize: plan.contextSize,
          batchSize: plan.batchSize,
          sequences: plan.sequences,
          gpuLayers: { ...plan.gpuLayers, totalLayers: plan.totalLayers },
          threads: await this.threadsFor(model, resolveThreads),
        },
        threadCalibration: resolveThreads || model.loaded ? await this.deps.threads.status(model) : null,
        memory: {
          footprintBytes: plan.footprintBytes,
          capBytes: plan.capBytes,
          modelRam: plan.model.cpuRam,
          modelVram: plan.model.gpuVram,
          contextRam: plan.context.cpuRam,
          contextVram: plan.context.gpuVram,
        },
        trainContextSize: plan.trainContextSize,
        chatWrapper: model.loaded ? model.loaded.chatWrapper.wrapperName : model.spec.chatWrapper,
        promptStyle: promptStyleOf(model.spec, prepared),
        warnings: plan.warnings,
      };
    } catch (error) {
      return unprepared((error as Error).message);
    }
  }
}
