// The figures a GPU node puts in its heartbeats (gpu-node/edge-link/stats.ts), on a real node: its
// engine on the committed model, linked in pull mode to the edge's Node entry on real libSQL.
//   - the sampler, on a clock the test moves: no speed before a first interval, then the tokens the
//     engine generated in the interval over its seconds; the total is the engine's Prometheus counter;
//   - the same figures reach the edge in a heartbeat and show on GET /v1/ops.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../edge/auth.ts";
import { engineStatsSampler } from "../../gpu-node/edge-link/stats.ts";
import type { RunningGpuNode } from "../../gpu-node/main.ts";
import { OpsSnapshot } from "../../shared/api/ops.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { client, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { startTestNode } from "../support/gpu-node.ts";

const nodeId = "gpu-stats";

/**
 * opus_engine_tokens_generated_total, summed over its models, as the node's own GET /metrics exports
 * it (a counter by model has no sample line until a model generates: 0).
 */
async function tokensCounter(node: RunningGpuNode): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  expect(text).toContain("# TYPE opus_engine_tokens_generated_total counter");
  const samples = [...text.matchAll(/^opus_engine_tokens_generated_total(?:\{[^}]*\})? (\d+(?:\.\d+)?)$/gm)];
  return samples.reduce((sum, m) => sum + Number(m[1]), 0);
}

/** The model pool as the engine reports it, in the heartbeat's shape. */
const poolOf = (node: RunningGpuNode) => node.engine.stats().models.map(({ id, state, active, queued, loads, evictions }) => ({ id, state, active, queued, loads, evictions }));

describe("the GPU node's heartbeat stats", () => {
  const secret = newSigningSecret();
  let edge: EdgeTarget;
  let node: RunningGpuNode;
  let modelId: string;

  beforeAll(async () => {
    // A long heartbeat interval: after its first heartbeat the link sends the next only when told to.
    edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret, OPUS_NODE_HEARTBEAT_S: "60" });
    node = await startTestNode(secret, { OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "pull", OPUS_NODE_ID: nodeId, OPUS_SEQUENCES: "1", OPUS_KNOWLEDGE: "false" });
    modelId = (await node.engine.modelInfo()).id;
  });
  afterAll(async () => {
    await node?.close();
    await edge?.close();
  });

  it("reports the engine's speed over each interval, its token counter, memory budget and model pool", async () => {
    let now = 1_000_000;
    const sample = engineStatsSampler(node.engine, () => now);

    const first = await sample();
    // No interval before the first sample: no speed.
    expect(first.tokens_per_second).toBeNull();
    expect(first.tokens_generated).toBe(await tokensCounter(node));

    const result = await node.engine.complete({ prompt: "The Fathers teach that", maxTokens: 12, temperature: 0, seed: 7 });
    expect(result.tokens).toBeGreaterThan(0);
    now += 2000;
    const second = await sample();
    const counted = await tokensCounter(node);
    expect(second.tokens_generated).toBe(counted);
    expect(counted - first.tokens_generated!).toBe(result.tokens);
    // Tokens of the interval over its two seconds (a half is exact at one decimal).
    expect(second.tokens_per_second).toBe(result.tokens / 2);

    // An idle interval decodes nothing; an interval of no time has no speed.
    now += 5000;
    expect((await sample()).tokens_per_second).toBe(0);
    expect((await sample()).tokens_per_second).toBeNull();

    const { hardware } = node.engine;
    if (hardware.gpu === false) {
      expect(second.vram).toBeNull();
    } else {
      expect(second.vram!.total_bytes).toBe(Math.round(hardware.vramTotalBytes));
      expect(second.vram!.used_bytes).toBeGreaterThan(0);
      expect(second.vram!.used_bytes).toBeLessThanOrEqual(second.vram!.total_bytes);
    }
    expect(second.memory_budget_bytes).toBe(Math.round(node.engine.budget.bytes));
    expect(second.memory_budget_bytes).toBeGreaterThan(0);
    expect(second.models).toEqual(poolOf(node));
    expect(second.models).toContainEqual(expect.objectContaining({ id: modelId, state: "loaded", active: 0, queued: 0, loads: 1 }));
  });

  it("reach the edge in a heartbeat and show on GET /v1/ops", async () => {
    const admin = await createApiKey(edge.db, "Operator Olga", ["admin"]);
    const ops = async () => {
      const res = await client(edge, admin.key)("GET", "/v1/ops");
      expect(res.status).toBe(200);
      return OpsSnapshot.parse(res.json).nodes.find((n) => n.id === nodeId);
    };
    // The link's first heartbeat registers the node (its sampler's first interval starts there).
    for (const until = Date.now() + 60_000; !(await ops()); ) {
      if (Date.now() > until) throw new Error("the node's first heartbeat never reached the edge");
      await new Promise((r) => setTimeout(r, 100));
    }

    const result = await node.engine.complete({ prompt: "Holy icons are", maxTokens: 8, temperature: 0, seed: 11 });
    expect(result.tokens).toBeGreaterThan(0);
    await node.edgeLink!.heartbeat();
    const shown = (await ops())!;
    expect(shown).toMatchObject({ mode: "pull", healthy: true, model: modelId });
    expect(shown.stats).toMatchObject({
      tokens_generated: await tokensCounter(node),
      memory_budget_bytes: Math.round(node.engine.budget.bytes),
      models: poolOf(node),
      ...(node.engine.hardware.gpu === false ? { vram: null } : {}),
    });
    // Tokens were generated in the interval since the first heartbeat: a speed above nothing.
    expect(shown.stats!.tokens_per_second).toBeGreaterThan(0);
  });
});
