// One entry written by the real model and delivered through the edge: Node edge and the Worker
// bundle under Miniflare, each talking to a real GPU node over signed HTTP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSigningSecret } from "../../shared/api/signing.ts";
import type { RunningGpuNode } from "../../gpu-node/main.ts";
import { startTestNode } from "../support/gpu-node.ts";
import { client, newKey, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { entryHangGuardMs, smallTierB } from "../support/bounds.ts";
import { freePort } from "../support/net.ts";
import { waitFor as waitUntil } from "../support/wait.ts";

/** Waits on the running edge and node, up to the entry hang guard. */
const waitFor = <T>(probe: () => Promise<T | undefined>, what = "the entry") => waitUntil(probe, entryHangGuardMs, what, 20);

describe.each(["node", "worker"] as const)("end to end through the %s edge", (name) => {
  const secret = newSigningSecret();
  let node: RunningGpuNode & { logs: string[] };
  let edge: EdgeTarget;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    // The edge knows the node's address (OPUS_GPU_NODE_URL) and the node its edge's (OPUS_EDGE_URL):
    // the node takes entries only from, and reports only to, that edge.
    const nodePort = await freePort();
    edge = await startEdgeTarget(name, { OPUS_NODE_SECRET: secret, OPUS_GPU_NODE_URL: `http://127.0.0.1:${nodePort}` });
    // Bounded by work: a small tier B, so a busy machine makes it slower, never failed.
    // Expansions on: the entry must reach the tier's minimum however short the model's paragraphs come out.
    node = await startTestNode(secret, { ...smallTierB(), OPUS_PIPELINE__EXPANSION_ATTEMPTS: "4", OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static", OPUS_LOG_LEVEL: "info" }, undefined, nodePort);
    api = client(edge, await newKey(edge));
  });
  afterAll(async () => {
    await node?.close();
    await edge?.close();
  });

  it("writes an entry with the real model and serves it", async () => {
    const created = await api("POST", "/v1/entries", { subject: "Theosis", tier: "B", category: "Theology", seed: 11 });
    expect(created.status).toBe(202);
    const seen = new Set<string>();
    const final = await waitFor(async () => {
      const s = await api("GET", `/v1/entries/${created.json.id}`);
      seen.add(s.json.status);
      return ["succeeded", "failed", "canceled", "needs_review"].includes(s.json.status) ? s.json : undefined;
    });
    expect(final.error).toBeNull();
    // The built-in model's prose does not pass the quality gate: it goes to review.
    expect(final.status).toBe("needs_review");
    const states = final.transitions.map((t: { status: string }) => t.status);
    expect(states.slice(0, 4)).toEqual(["queued", "blueprint", "sections", "validating"]);
    expect(states.slice(-3)).toEqual(["assembling", "finalizing", "needs_review"]);
    expect(final.sections).toEqual({ done: 4, total: 4 });
    expect(final.words).toBeGreaterThanOrEqual(480);
    const md = await api("GET", `/v1/entries/${created.json.id}/content`);
    const headings = md.text.split("\n").filter((l) => l.startsWith("## "));
    expect(headings.map((h) => h.split(".")[0])).toEqual(["## I", "## II", "## III", "## IV"]);
    expect(md.text.startsWith("# Theosis\n")).toBe(true);
    expect(md.text).not.toMatch(/[\u2013\u2014]/);
    const json = await api("GET", `/v1/entries/${created.json.id}/content`, undefined, { accept: "application/json" });
    expect(json.json.sections).toHaveLength(4);
    expect(json.json.words).toBe(final.words);
    expect(json.json.metadata.seed).toBe(11);
    expect(json.json.metadata.quality.passed).toBe(false);
    expect(json.json.metadata.quality.reasons.length).toBeGreaterThan(0);
  }, entryHangGuardMs);

  it("cancels through the edge and stops the work on the node", async () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const created = await api("POST", "/v1/entries", { subject: "Hesychasm", tier: "S", category: "Theology" }, { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    await waitFor(async () => ((await api("GET", `/v1/entries/${created.json.id}`)).json.status === "sections" ? true : undefined));
    const canceled = await api("POST", `/v1/entries/${created.json.id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.json.status).toBe("canceled");
    await waitFor(async () => (node.runner.active === 0 ? true : undefined));
    const after = await api("GET", `/v1/entries/${created.json.id}`);
    expect(after.json.status).toBe("canceled");
    expect((await api("GET", `/v1/entries/${created.json.id}/content`)).status).toBe(409);
    // The node's JSON log says so, with the entry's id and the trace the submitting request began.
    const lines = node.logs.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.entry_id === created.json.id).map((l) => l.msg)).toEqual(expect.arrayContaining(["entry accepted", "entry started", "entry canceled"]));
    expect(lines.find((l) => l.msg === "entry canceled" && l.entry_id === created.json.id)).toMatchObject({ level: "info", service: "opus-gpu-node", trace_id: traceId });
  }, entryHangGuardMs);
});
