// One trace through push and pull dispatch with a real GPU node: the edge on Node exports its spans
// and the node its own (both OPUS_TRACES_ENDPOINT) to a real OTLP/HTTP receiver; the node registers
// as a push node (the edge pushes it the entry a caller submitted with its own traceparent) or a pull
// node (it leases the entry), and writes it with the built-in model. The trace runs caller ->
// "POST /v1/entries" -> "dispatch entry" or "lease entry" -> the node's "entry" -> its steps, and the edge's span for each event the node posts
// back is a child of the dispatch. The node's JSON log lines name the entry and the caller's trace.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../edge/auth.ts";
import { startGpuNode, type RunningGpuNode } from "../../gpu-node/main.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { entryHangGuardMs, smallTierB } from "../support/bounds.ts";
import { client, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { testNodeEnv } from "../support/gpu-node.ts";
import { startOtlpReceiver, type OtlpReceiver, type OtlpSpan } from "../support/otlp-receiver.ts";

const terminal = ["succeeded", "needs_review", "failed", "canceled"];

// Push: the edge calls the node. Pull: the node leases from the edge, with no inbound port.
const modes = [
  { mode: "push", span: "dispatch entry", edgeMsg: "entry dispatched" },
  { mode: "pull", span: "lease entry", edgeMsg: "entry leased" },
] as const;

describe.each(modes)("one trace through $mode dispatch to a real GPU node", ({ mode, span, edgeMsg }) => {
  const secret = newSigningSecret();
  const nodeLines: string[] = [];
  const edgeLines: string[] = [];
  const realLog = console.log;
  let receiver: OtlpReceiver;
  let edge: EdgeTarget | undefined;
  let node: RunningGpuNode | undefined;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    // The edge's structured lines go to console.log.
    console.log = (...args: unknown[]) => void edgeLines.push(args.map(String).join(" "));
  });
  afterAll(async () => {
    console.log = realLog;
    await node?.close().catch(() => undefined);
    await edge?.close();
    await receiver?.close();
  });

  it("follows the entry from the caller's request through the node's pipeline and back, in spans and in the node's logs", async () => {
    edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret, OPUS_TRACES_ENDPOINT: receiver.url });
    const dir = mkdtempSync(path.join(os.tmpdir(), `opus-${mode}-trace-`));
    const nodeId = `gpu-${mode}`;
    node = await startGpuNode({
      // One short section: the trace needs every step, not many words. The knowledge base is not part of the path.
      env: testNodeEnv(dir, { ...smallTierB(1), OPUS_KNOWLEDGE: "false", OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: mode, OPUS_NODE_ID: nodeId, OPUS_TRACES_ENDPOINT: receiver.url, OPUS_LOG_LEVEL: "info" }),
      secret,
      port: 0,
      hostname: "127.0.0.1",
      log: (line) => void nodeLines.push(line),
    });
    expect(node.edgeLink?.mode).toBe(mode);
    // Registered before the entry arrives: a push node (with its URL) gets it from the submit's own dispatch, a pull node on its next lease.
    await node.edgeLink!.heartbeat();

    const key = await createApiKey(edge.db, "submitter", ["submit", "read"]);
    const api = client(edge, key.key);
    const callerTrace = "0af7651916cd43dd8448eb211c80319c";
    const callerSpan = "b7ad6b7169203331";
    const created = await api("POST", "/v1/entries", { subject: "Theosis", tier: "B", category: "Theology", seed: 5 }, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    expect(created.status).toBe(202);
    const id: string = created.json.id;

    await expect
      .poll(async () => (await api("GET", `/v1/entries/${id}`)).json.status, { timeout: entryHangGuardMs, interval: 100 })
      .toSatisfy((status: string) => terminal.includes(status));
    const final = (await api("GET", `/v1/entries/${id}`)).json;
    expect(final.error).toBeNull();
    expect(["succeeded", "needs_review"]).toContain(final.status);
    await node.runner.settled(id);

    // Closing flushes both exporters.
    await node.close();
    node = undefined;
    await edge.close();
    edge = undefined;
    const spans = receiver.spans;
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([callerTrace]));
    const named = (name: string) => spans.filter((s) => s.name === name);
    const one = (name: string): OtlpSpan => {
      const found = named(name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    const request = one("POST /v1/entries");
    expect(request).toMatchObject({ service: "opus-edge", parentSpanId: callerSpan });
    const entry = one("entry");
    expect(entry).toMatchObject({ service: "opus-gpu-node", attributes: expect.objectContaining({ "opus.entry.id": id }) });
    // The node's entry continues the edge's push or lease of it, which the submitting request started.
    const dispatch = named(span).find((s) => s.spanId === entry.parentSpanId);
    expect(dispatch, "the entry span's parent is a dispatch span").toBeDefined();
    expect(dispatch).toMatchObject({ service: "opus-edge", parentSpanId: request.spanId, attributes: expect.objectContaining({ "opus.entry.id": id, "opus.node.id": nodeId, "opus.dispatch.mode": mode }) });
    const blueprint = one("blueprint");
    expect(blueprint).toMatchObject({ service: "opus-gpu-node", parentSpanId: entry.spanId });
    expect(named("section").every((s) => s.parentSpanId === entry.spanId)).toBe(true);
    // Every event the node posted back is a span of the edge under the dispatch.
    const events = spans.filter((s) => s.name.startsWith("node event "));
    expect(events.map((s) => s.name)).toEqual(expect.arrayContaining(["node event progress", "node event finished"]));
    for (const event of events) expect(event, event.name).toMatchObject({ service: "opus-edge", parentSpanId: dispatch!.spanId, attributes: expect.objectContaining({ "opus.entry.id": id, "opus.node.id": nodeId }) });

    // The node's log: one JSON object per line, each line about the entry with its id and the caller's trace.
    const records = nodeLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const r of records) expect(r, JSON.stringify(r)).toMatchObject({ service: "opus-gpu-node", level: expect.stringMatching(/^(error|warn|info|debug)$/), time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), msg: expect.any(String), node_id: nodeId });
    const aboutEntry = records.filter((r) => r.entry_id === id);
    for (const r of aboutEntry) expect(r, JSON.stringify(r)).toMatchObject({ trace_id: callerTrace });
    const lifecycle = aboutEntry.filter((r) => String(r.msg).startsWith("entry "));
    expect(lifecycle.map((r) => r.msg)).toEqual(["entry accepted", "entry started", "entry finished"]);
    expect(lifecycle[0]).toMatchObject({ outcome: "started", tier: "B" });
    expect(lifecycle[2]).toMatchObject({ status: final.status, words: final.words });
    // The edge's lines name the same entry and trace, in the same shape.
    const edgeRecords = edgeLines.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(edgeRecords).toEqual(expect.arrayContaining([expect.objectContaining({ service: "opus-edge", level: "info", msg: edgeMsg, entry_id: id, trace_id: callerTrace, node_id: nodeId })]));
  }, entryHangGuardMs);
});
