// Prometheus metrics of the engine (prom-client), in the engine's own registry so that several engines
// (tests, benches) never collide in prom-client's global one.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type RequestOutcome = "ok" | "cached" | "abort" | "timeout" | "queue_full" | "queue_timeout" | "invalid" | "error";

export type EngineMetrics = ReturnType<typeof createEngineMetrics>;

export function createEngineMetrics(options: { processMetrics: boolean }) {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: "opus_node_" });
  const registers = [registry];
  return {
    registry,
    tokensGenerated: new Counter({ name: "opus_engine_tokens_generated_total", help: "Tokens generated", labelNames: ["model"], registers }),
    tokensPerSecond: new Histogram({
      name: "opus_engine_tokens_per_second",
      help: "Decoding speed of each finished request (tokens after the first, per second)",
      labelNames: ["model"],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000],
      registers,
    }),
    timeToFirstToken: new Histogram({
      name: "opus_engine_time_to_first_token_seconds",
      help: "From the request's arrival to its first generated token (queue wait and prompt evaluation included)",
      labelNames: ["model"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers,
    }),
    requestDuration: new Histogram({
      name: "opus_engine_request_duration_seconds",
      help: "Whole request time, from arrival to the last token",
      labelNames: ["model"],
      buckets: [0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300, 600, 1800],
      registers,
    }),
    queueDepth: new Gauge({ name: "opus_engine_queue_depth", help: "Requests waiting for a sequence", labelNames: ["priority"], registers }),
    queueWait: new Histogram({
      name: "opus_engine_queue_wait_seconds",
      help: "Time a request waited for a sequence (model load included)",
      labelNames: ["priority"],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    activeSequences: new Gauge({ name: "opus_engine_active_sequences", help: "Sequences generating now", labelNames: ["model"], registers }),
    loadedModels: new Gauge({ name: "opus_engine_loaded_models", help: "Models loaded now", registers }),
    modelMemory: new Gauge({
      name: "opus_engine_model_memory_bytes",
      help: "Estimated memory of each loaded model with its context (node-llama-cpp estimates)",
      labelNames: ["model", "kind"],
      registers,
    }),
    memoryBudget: new Gauge({ name: "opus_engine_memory_budget_bytes", help: "Memory budget for loaded models", labelNames: ["device"], registers }),
    modelLoads: new Counter({ name: "opus_engine_model_loads_total", help: "Model loads", labelNames: ["model"], registers }),
    modelLoadSeconds: new Histogram({
      name: "opus_engine_model_load_seconds",
      help: "Time to load a model and create its context",
      labelNames: ["model"],
      buckets: [0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300],
      registers,
    }),
    evictions: new Counter({ name: "opus_engine_evictions_total", help: "Models unloaded to make room for another", labelNames: ["model"], registers }),
    cacheHits: new Counter({ name: "opus_engine_cache_hits_total", help: "Seeded requests answered from the response cache", labelNames: ["level"], registers }),
    cacheMisses: new Counter({ name: "opus_engine_cache_misses_total", help: "Seeded requests not found in the response cache", registers }),
    requests: new Counter({ name: "opus_engine_requests_total", help: "Requests by outcome", labelNames: ["model", "outcome"], registers }),
  };
}
