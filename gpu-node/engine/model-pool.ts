// The registered models and their memory: lazy preparation (source, GGUF insights, plan), one shared
// load per model however many callers wait, and the choice of least recently used idle models to
// evict when a load would pass the budget. A model with an active sequence is never chosen.
import { GgufInsights, readGgufFileInfo, type Llama, type LlamaModel } from "node-llama-cpp";
import type { ModelConfig, NodeConfig } from "./config/schema.ts";
import { UnknownModelError } from "./errors.ts";
import type { FileHasher } from "./file-hash.ts";
import type { Hardware } from "./hardware.ts";
import { resolveModelMemoryCap, type MemoryBudget } from "./memory-budget.ts";
import type { EngineMetrics } from "./metrics.ts";
import { loadForServing, unloadModel, type LoadedModel } from "./model-loader.ts";
import { resolveModelSource } from "./model-source.ts";
import { planModel, type ModelPlan } from "./tuning.ts";

export type PreparedModel = {
  filePath: string;
  insights: GgufInsights;
  plan: ModelPlan;
  /** The GGUF file carries a chat template: an instruct or chat model. */
  chatTemplate: boolean;
};

export type PooledModelState = "unloaded" | "loading" | "loaded" | "unloading";

/**
 * One model registered in the pool, loaded or not: its configuration, its preparation (file, GGUF
 * insights, plan), its loaded weights and sequences when loaded, and its usage counters.
 */
export class PooledModel {
  state: PooledModelState = "unloaded";
  prepared: PreparedModel | undefined;
  preparing: Promise<PreparedModel> | undefined;
  loaded: LoadedModel | undefined;
  loading: Promise<LoadedModel> | undefined;
  unloading: Promise<void> | undefined;
  /** Sequences generating now (leases not yet released). */
  active = 0;
  lastUsedAt = 0;
  lastTokenAt = 0;
  loads = 0;
  evictions = 0;
  private sha: Promise<string> | undefined;
  private vocab: Promise<LlamaModel> | undefined;

  constructor(readonly spec: ModelConfig) {}

  get id(): string {
    return this.spec.id;
  }

  get footprintBytes(): number {
    return this.prepared?.plan.footprintBytes ?? 0;
  }

  sha256(hasher: FileHasher, filePath: string): Promise<string> {
    this.sha ??= hasher.sha256(filePath);
    return this.sha;
  }

  /** A vocabulary-only copy of the model: tokenizing must not load weights or evict anything. */
  vocabulary(llama: Llama, filePath: string): Promise<LlamaModel> {
    this.vocab ??= llama.loadModel({ modelPath: filePath, vocabOnly: true, gpuLayers: 0 });
    return this.vocab;
  }

  async disposeVocabulary(): Promise<void> {
    const vocab = this.vocab;
    this.vocab = undefined;
    if (vocab) await (await vocab.catch(() => null))?.dispose();
  }
}

export type LoadDecision = { kind: "fits"; evict: PooledModel[] } | { kind: "blocked"; by: PooledModel[] };

export class ModelPool {
  readonly models = new Map<string, PooledModel>();

  constructor(
    private readonly deps: {
      llama: Llama;
      config: NodeConfig;
      hardware: Hardware;
      budget: MemoryBudget;
      hasher: FileHasher;
      metrics: EngineMetrics;
      log: (level: "info" | "warn", message: string) => void;
    },
  ) {
    for (const spec of deps.config.models) this.register(spec);
  }

  register(spec: ModelConfig): PooledModel {
    if (this.models.has(spec.id)) throw new Error(`model "${spec.id}" is already registered`);
    const model = new PooledModel(spec);
    this.models.set(spec.id, model);
    return model;
  }

  /** A model by id, or the first model holding the role. */
  resolve(idOrRole: string): PooledModel {
    const byId = this.models.get(idOrRole);
    if (byId) return byId;
    for (const model of this.models.values()) if (model.spec.roles.includes(idOrRole)) return model;
    const known = [...this.models.values()].map((e) => (e.spec.roles.length > 0 ? `${e.id} (${e.spec.roles.join(", ")})` : e.id));
    throw new UnknownModelError(idOrRole, known);
  }

  /** Source resolved, GGUF read, settings planned. Shared by concurrent callers; kept across unloads. */
  prepare(model: PooledModel): Promise<PreparedModel> {
    if (model.prepared) return Promise.resolve(model.prepared);
    model.preparing ??= (async () => {
      const { config, llama, budget } = this.deps;
      const filePath = await resolveModelSource(model.spec.source, {
        modelsDir: config.paths.modelsDir,
        download: config.download.enabled,
        connectTimeoutMs: config.download.connectTimeoutMs,
        showProgress: process.stderr.isTTY === true,
        label: `model "${model.id}"`,
      });
      const fileInfo = await readGgufFileInfo(filePath);
      const insights = await GgufInsights.from(fileInfo, llama);
      const plan = await planModel(insights, model.spec, {
        budget,
        capBytes: resolveModelMemoryCap(model.spec.maxMemory, budget),
        generation: config.generation,
      });
      for (const warning of plan.warnings) this.deps.log("warn", `model "${model.id}": ${warning}`);
      model.prepared = { filePath, insights, plan, chatTemplate: Boolean(fileInfo.metadata.tokenizer?.chat_template) };
      return model.prepared;
    })().finally(() => {
      model.preparing = undefined;
    });
    return model.preparing;
  }

  /** Bytes held on the budgeted device by models loaded or loading, other than `except`. */
  usedBytes(except?: PooledModel): number {
    let used = 0;
    for (const model of this.models.values()) {
      if (model === except) continue;
      if (model.state === "loaded" || model.state === "loading") used += model.footprintBytes;
    }
    return used;
  }

  /** Whether `model` (prepared) can load now, and which idle models must go first (least recently used first). */
  decideLoad(model: PooledModel): LoadDecision {
    const budget = this.deps.budget.bytes;
    const need = model.footprintBytes;
    let used = this.usedBytes(model);
    if (used + need <= budget) return { kind: "fits", evict: [] };
    const idle = [...this.models.values()]
      .filter((e) => e !== model && e.state === "loaded" && e.active === 0)
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    const evict: PooledModel[] = [];
    for (const candidate of idle) {
      evict.push(candidate);
      used -= candidate.footprintBytes;
      if (used + need <= budget) return { kind: "fits", evict };
    }
    // A plan larger than the budget (explicit settings) runs alone.
    if (used <= 0) return { kind: "fits", evict };
    const busy = [...this.models.values()].filter((e) => e !== model && (e.state === "loading" || (e.state === "loaded" && e.active > 0)));
    return { kind: "blocked", by: busy };
  }

  /** Loads a prepared model after the given evictions. One load per model however many callers ask. */
  load(model: PooledModel, evict: PooledModel[]): Promise<LoadedModel> {
    if (model.loaded) return Promise.resolve(model.loaded);
    if (model.loading) return model.loading;
    const prepared = model.prepared;
    if (!prepared) return Promise.reject(new Error(`model "${model.id}" is not prepared`));
    model.state = "loading";
    const evictions = evict.map((victim) => this.evict(victim));
    model.loading = (async () => {
      await Promise.all(evictions);
      const { llama, config, hardware, hasher, metrics } = this.deps;
      const loaded = await loadForServing({
        llama,
        spec: model.spec,
        filePath: prepared.filePath,
        plan: prepared.plan,
        config,
        hardware,
        sha256: () => model.sha256(hasher, prepared.filePath),
      });
      model.loaded = loaded;
      model.state = "loaded";
      model.loads++;
      model.lastUsedAt = Date.now();
      metrics.modelLoads.inc({ model: model.id });
      metrics.modelLoadSeconds.observe({ model: model.id }, loaded.loadMs / 1000);
      this.updateMemoryMetrics();
      this.deps.log("info", `loaded model "${model.id}" in ${loaded.loadMs.toFixed(0)}ms (threads ${loaded.threads.value}, ${loaded.threads.source})`);
      return loaded;
    })()
      .catch((error: unknown) => {
        model.state = "unloaded";
        model.loaded = undefined;
        throw error;
      })
      .finally(() => {
        model.loading = undefined;
      });
    return model.loading;
  }

  private evict(victim: PooledModel): Promise<void> {
    this.deps.metrics.evictions.inc({ model: victim.id });
    victim.evictions++;
    this.deps.log("info", `evicting model "${victim.id}" (least recently used) to make room`);
    return this.unload(victim);
  }

  /** Unloads an idle model; refuses (rejects) while a sequence of it is generating. */
  unload(model: PooledModel): Promise<void> {
    if (model.state === "unloading" && model.unloading) return model.unloading;
    if (model.state !== "loaded" || !model.loaded) return Promise.resolve();
    if (model.active > 0) return Promise.reject(new Error(`model "${model.id}" has ${model.active} active sequences and cannot be unloaded`));
    const loaded = model.loaded;
    model.state = "unloading";
    model.unloading = unloadModel(loaded).finally(() => {
      model.loaded = undefined;
      model.state = "unloaded";
      model.unloading = undefined;
      this.updateMemoryMetrics();
    });
    return model.unloading;
  }

  updateMemoryMetrics(): void {
    const { metrics } = this.deps;
    let loadedCount = 0;
    for (const model of this.models.values()) {
      const plan = model.prepared?.plan;
      const isLoaded = model.state === "loaded";
      if (isLoaded) loadedCount++;
      metrics.modelMemory.set({ model: model.id, kind: "ram" }, isLoaded && plan ? plan.model.cpuRam + plan.context.cpuRam : 0);
      metrics.modelMemory.set({ model: model.id, kind: "vram" }, isLoaded && plan ? plan.model.gpuVram + plan.context.gpuVram : 0);
    }
    metrics.loadedModels.set(loadedCount);
  }

  async closeAll(): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const model of this.models.values()) {
      if (model.loading) pending.push(model.loading.then((loaded) => unloadModel(loaded)).catch(() => undefined));
      else if (model.unloading) pending.push(model.unloading);
      else if (model.loaded) pending.push(unloadModel(model.loaded));
      pending.push(model.disposeVocabulary());
      model.loaded = undefined;
      model.state = "unloaded";
    }
    await Promise.all(pending);
  }
}
