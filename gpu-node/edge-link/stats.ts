// What the node tells its edge about itself in each heartbeat (NodeStats): decoding speed over the
// last interval, tokens generated, VRAM taken by the loaded models, and the model pool. Read from the
// engine's own Prometheus registry and stats, so the edge's dashboard sees the same figures that
// /metrics shows, in pull mode too (the heartbeat goes out; nothing comes in).
import type { NodeStats } from "../../shared/api/node-protocol.ts";
import type { Engine } from "../engine/engine.ts";

type MetricValues = { values: { value: number; labels: Record<string, string | number> }[] };

async function metricValues(engine: Pick<Engine, "metricsRegistry">, name: string): Promise<MetricValues["values"]> {
  const metric = engine.metricsRegistry.getSingleMetric(name);
  if (!metric) return [];
  return ((await metric.get()) as MetricValues).values;
}

/** A sampler: each call gives the stats since the previous call (the first measures from its creation). */
export function engineStatsSampler(engine: Pick<Engine, "metricsRegistry" | "stats" | "hardware" | "budget">, clock = () => Date.now()): () => Promise<NodeStats> {
  let last: { at: number; tokens: number } | undefined;
  return async () => {
    const at = clock();
    const tokens = Math.round((await metricValues(engine, "opus_engine_tokens_generated_total")).reduce((s, v) => s + v.value, 0));
    const seconds = last ? (at - last.at) / 1000 : 0;
    const tokensPerSecond = last && seconds > 0 ? Math.round(((tokens - last.tokens) / seconds) * 10) / 10 : null;
    last = { at, tokens };
    const vramUsed = (await metricValues(engine, "opus_engine_model_memory_bytes")).filter((v) => v.labels.kind === "vram").reduce((s, v) => s + v.value, 0);
    const { hardware } = engine;
    return {
      tokens_per_second: tokensPerSecond,
      tokens_generated: tokens,
      vram: hardware.gpu === false ? null : { total_bytes: Math.round(hardware.vramTotalBytes), used_bytes: Math.round(vramUsed) },
      memory_budget_bytes: Math.round(engine.budget.bytes),
      models: engine
        .stats()
        .models.slice(0, 64)
        .map((m) => ({ id: m.id.slice(0, 300), state: m.state, active: m.active, queued: m.queued, loads: m.loads, evictions: m.evictions })),
    };
  };
}
