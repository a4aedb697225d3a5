// Readiness: the default generator produces a real token now, or, when every sequence is busy, it
// produced one moments ago (a busy model is not a wedged one).
import type { NodeConfig } from "./config/schema.ts";
import type { ModelPool } from "./model-pool.ts";
import type { Requests } from "./requests.ts";
import type { Scheduler } from "./scheduler.ts";

export type HealthResult = {
  ok: boolean;
  model: string;
  /** Time to generate the health token, or null when the check passed on recent tokens of a busy model. */
  tokenMs: number | null;
  /** "generated": a token was generated now; "recent-token": all sequences busy and producing tokens. */
  check: "generated" | "recent-token" | "failed";
  loadedModels: string[];
  queueDepth: number;
  error?: string;
};

export class HealthCheck {
  constructor(private readonly deps: { config: NodeConfig; pool: ModelPool; scheduler: Scheduler; requests: Requests }) {}

  async run(): Promise<HealthResult> {
    const { config, pool, scheduler, requests } = this.deps;
    const loadedModels = () => [...pool.models.values()].filter((m) => m.state === "loaded").map((m) => m.id);
    let model;
    try {
      model = pool.resolve("generator");
    } catch (error) {
      return { ok: false, model: "generator", tokenMs: null, check: "failed", loadedModels: [], queueDepth: scheduler.depth, error: (error as Error).message };
    }
    if (model.loaded && model.loaded.freeSequences.length === 0 && Date.now() - model.lastTokenAt < config.health.maxTokenAgeMs) {
      return { ok: true, model: model.id, tokenMs: null, check: "recent-token", loadedModels: loadedModels(), queueDepth: scheduler.depth };
    }
    const start = performance.now();
    try {
      const result = await requests.run(
        model,
        { kind: "complete", prompt: "Hello" },
        { maxTokens: 1, temperature: 0, priority: "S", timeoutMs: config.health.timeoutMs },
        { forbidEndOfText: true, limited: false, noCache: true },
      );
      const ok = result.tokens >= 1 && result.stopReason !== "abort";
      return {
        ok,
        model: model.id,
        tokenMs: performance.now() - start,
        check: ok ? "generated" : "failed",
        loadedModels: loadedModels(),
        queueDepth: scheduler.depth,
        ...(ok ? {} : { error: `no token generated (stopReason ${result.stopReason})` }),
      };
    } catch (error) {
      return { ok: false, model: model.id, tokenMs: null, check: "failed", loadedModels: loadedModels(), queueDepth: scheduler.depth, error: (error as Error).message };
    }
  }
}
