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

export type PoolEntryState = "unloaded" | "loading" | "loaded" | "unloading";

export class PoolEntry {
  state: PoolEntryState = "unloaded";
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

export type LoadDecision = { kind: "fits"; evict: PoolEntry[] } | { kind: "blocked"; by: PoolEntry[] };

export class ModelPool {
  readonly entries = new Map<string, PoolEntry>();

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

  register(spec: ModelConfig): PoolEntry {
    if (this.entries.has(spec.id)) throw new Error(`model "${spec.id}" is already registered`);
    const entry = new PoolEntry(spec);
    this.entries.set(spec.id, entry);
    return entry;
  }

  /** A model by id, or the first model holding the role. */
  resolve(idOrRole: string): PoolEntry {
    const byId = this.entries.get(idOrRole);
    if (byId) return byId;
    for (const entry of this.entries.values()) if (entry.spec.roles.includes(idOrRole)) return entry;
    const known = [...this.entries.values()].map((e) => (e.spec.roles.length > 0 ? `${e.id} (${e.spec.roles.join(", ")})` : e.id));
    throw new UnknownModelError(idOrRole, known);
  }

  /** Source resolved, GGUF read, settings planned. Shared by concurrent callers; kept across unloads. */
  prepare(entry: PoolEntry): Promise<PreparedModel> {
    if (entry.prepared) return Promise.resolve(entry.prepared);
    entry.preparing ??= (async () => {
      const { config, llama, budget } = this.deps;
      const filePath = await resolveModelSource(entry.spec.source, {
        modelsDir: config.paths.modelsDir,
        download: config.download.enabled,
        connectTimeoutMs: config.download.connectTimeoutMs,
        showProgress: process.stderr.isTTY === true,
        label: `model "${entry.id}"`,
      });
      const fileInfo = await readGgufFileInfo(filePath);
      const insights = await GgufInsights.from(fileInfo, llama);
      const plan = await planModel(insights, entry.spec, {
        budget,
        capBytes: resolveModelMemoryCap(entry.spec.maxMemory, budget),
        generation: config.generation,
      });
      for (const warning of plan.warnings) this.deps.log("warn", `model "${entry.id}": ${warning}`);
      entry.prepared = { filePath, insights, plan, chatTemplate: Boolean(fileInfo.metadata.tokenizer?.chat_template) };
      return entry.prepared;
    })().finally(() => {
      entry.preparing = undefined;
    });
    return entry.preparing;
  }

  /** Bytes held on the budgeted device by models loaded or loading, other than `except`. */
  usedBytes(except?: PoolEntry): number {
    let used = 0;
    for (const entry of this.entries.values()) {
      if (entry === except) continue;
      if (entry.state === "loaded" || entry.state === "loading") used += entry.footprintBytes;
    }
    return used;
  }

  /** Whether `entry` (prepared) can load now, and which idle models must go first (least recently used first). */
  decideLoad(entry: PoolEntry): LoadDecision {
    const budget = this.deps.budget.bytes;
    const need = entry.footprintBytes;
    let used = this.usedBytes(entry);
    if (used + need <= budget) return { kind: "fits", evict: [] };
    const idle = [...this.entries.values()]
      .filter((e) => e !== entry && e.state === "loaded" && e.active === 0)
      .sort((a, b) => a.lastUsedAt - b.lastUsedAt);
    const evict: PoolEntry[] = [];
    for (const candidate of idle) {
      evict.push(candidate);
      used -= candidate.footprintBytes;
      if (used + need <= budget) return { kind: "fits", evict };
    }
    // A plan larger than the budget (explicit settings) runs alone.
    if (used <= 0) return { kind: "fits", evict };
    const busy = [...this.entries.values()].filter((e) => e !== entry && (e.state === "loading" || (e.state === "loaded" && e.active > 0)));
    return { kind: "blocked", by: busy };
  }

  /** Loads a prepared entry after the given evictions. One load per entry however many callers ask. */
  load(entry: PoolEntry, evict: PoolEntry[]): Promise<LoadedModel> {
    if (entry.loaded) return Promise.resolve(entry.loaded);
    if (entry.loading) return entry.loading;
    const prepared = entry.prepared;
    if (!prepared) return Promise.reject(new Error(`model "${entry.id}" is not prepared`));
    entry.state = "loading";
    const evictions = evict.map((victim) => this.evict(victim));
    entry.loading = (async () => {
      await Promise.all(evictions);
      const { llama, config, hardware, hasher, metrics } = this.deps;
      const loaded = await loadForServing({
        llama,
        spec: entry.spec,
        filePath: prepared.filePath,
        plan: prepared.plan,
        config,
        hardware,
        sha256: () => entry.sha256(hasher, prepared.filePath),
      });
      entry.loaded = loaded;
      entry.state = "loaded";
      entry.loads++;
      entry.lastUsedAt = Date.now();
      metrics.modelLoads.inc({ model: entry.id });
      metrics.modelLoadSeconds.observe({ model: entry.id }, loaded.loadMs / 1000);
      this.updateMemoryMetrics();
      this.deps.log("info", `loaded model "${entry.id}" in ${loaded.loadMs.toFixed(0)}ms (threads ${loaded.threads.value}, ${loaded.threads.source})`);
      return loaded;
    })()
      .catch((error: unknown) => {
        entry.state = "unloaded";
        entry.loaded = undefined;
        throw error;
      })
      .finally(() => {
        entry.loading = undefined;
      });
    return entry.loading;
  }

  private evict(victim: PoolEntry): Promise<void> {
    this.deps.metrics.evictions.inc({ model: victim.id });
    victim.evictions++;
    this.deps.log("info", `evicting model "${victim.id}" (least recently used) to make room`);
    return this.unload(victim);
  }

  /** Unloads an idle model; refuses (rejects) while a sequence of it is generating. */
  unload(entry: PoolEntry): Promise<void> {
    if (entry.state === "unloading" && entry.unloading) return entry.unloading;
    if (entry.state !== "loaded" || !entry.loaded) return Promise.resolve();
    if (entry.active > 0) return Promise.reject(new Error(`model "${entry.id}" has ${entry.active} active sequences and cannot be unloaded`));
    const loaded = entry.loaded;
    entry.state = "unloading";
    entry.unloading = unloadModel(loaded).finally(() => {
      entry.loaded = undefined;
      entry.state = "unloaded";
      entry.unloading = undefined;
      this.updateMemoryMetrics();
    });
    return entry.unloading;
  }

  updateMemoryMetrics(): void {
    const { metrics } = this.deps;
    let loadedCount = 0;
    for (const entry of this.entries.values()) {
      const plan = entry.prepared?.plan;
      const isLoaded = entry.state === "loaded";
      if (isLoaded) loadedCount++;
      metrics.modelMemory.set({ model: entry.id, kind: "ram" }, isLoaded && plan ? plan.model.cpuRam + plan.context.cpuRam : 0);
      metrics.modelMemory.set({ model: entry.id, kind: "vram" }, isLoaded && plan ? plan.model.gpuVram + plan.context.gpuVram : 0);
    }
    metrics.loadedModels.set(loadedCount);
  }

  async closeAll(): Promise<void> {
    const pending: Promise<unknown>[] = [];
    for (const entry of this.entries.values()) {
      if (entry.loading) pending.push(entry.loading.then((loaded) => unloadModel(loaded)).catch(() => undefined));
      else if (entry.unloading) pending.push(entry.unloading);
      else if (entry.loaded) pending.push(unloadModel(entry.loaded));
      pending.push(entry.disposeVocabulary());
      entry.loaded = undefined;
      entry.state = "unloaded";
    }
    await Promise.all(pending);
  }
}
