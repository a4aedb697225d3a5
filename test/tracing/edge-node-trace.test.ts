// One trace from the edge request that submitted an entry to the node's events about it, collected
// by a real OTLP/HTTP receiver (test/support/otlp-receiver.ts): the edge on Node exports its spans
// (OPUS_TRACES_ENDPOINT), a pull node leases the entry (the lease carries the dispatch span's
// traceparent), the node's entry span continues it (gpu-node/pipeline/spans.ts, exported by the
// node's own OTLP tracing), and the node's event reporter sends the traceparent back with every
// event. The same path with a real push-mode GPU node: push-trace.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSigningSecret, postSigned } from "../../shared/api/signing.ts";
import { parseTraceparent } from "../../shared/tracing/traceparent.ts";
import { createApiKey } from "../../edge/auth.ts";
import { entries } from "../../edge/db/schema.ts";
import { EventReporter } from "../../gpu-node/entries/event-reporter.ts";
import { inSpan, rootScope } from "../../gpu-node/pipeline/spans.ts";
import { startTracing } from "../../gpu-node/telemetry/tracing.ts";
import { client, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { startOtlpReceiver, type OtlpReceiver } from "../support/otlp-receiver.ts";

describe("one trace across the edge and the node", () => {
  const secret = newSigningSecret();
  let receiver: OtlpReceiver;
  let edge: EdgeTarget | undefined;
  const logs: string[] = [];
  const realLog = console.log;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    console.log = (...args: unknown[]) => {
      logs.push(args.map(String).join(" "));
    };
  });
  afterAll(async () => {
    console.log = realLog;
    await edge?.close();
    await receiver?.close();
  });

  it("follows an entry from the submitting request through its lease and the node's pipeline to the node's events", async () => {
    edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret, OPUS_TRACES_ENDPOINT: receiver.url });
    const key = await createApiKey(edge.db, "submitter", ["submit", "read"]);
    const callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const callerSpan = "00f067aa0ba902b7";
    const created = await client(edge, key.key)("POST", "/v1/entries", { subject: "Theosis", tier: "B", category: "Theology" }, { traceparent: `00-${callerTrace}-${callerSpan}-01` });
    expect(created.status).toBe(202);
    const id: string = created.json.id;
    const stored = parseTraceparent((await edge.db.select({ tp: entries.traceparent }).from(entries).get())?.tp);
    expect(stored?.traceId).toBe(callerTrace);

    // A pull node registers and leases the entry: the assignment names the lease span.
    const hb = await postSigned(`${edge.url}/v1/node/heartbeat`, secret, { node_id: "gpu-a", capacity: 1, active: 0, queued: 0, entries: [] });
    expect(hb.status).toBe(200);
    const lease = (await (await postSigned(`${edge.url}/v1/node/lease`, secret, { node_id: "gpu-a", max: 1 })).json()) as any;
    const assignment = lease.entries[0];
    expect(assignment.id).toBe(id);
    const dispatched = parseTraceparent(assignment.traceparent)!;
    expect(dispatched.traceId).toBe(callerTrace);

    // The node's entry span continues the assignment's context, exported by the node's own tracing.
    const nodeTracing = startTracing({ serviceName: "opus-gpu-node", sampleRatio: 1, tracesEndpoint: receiver.url } as any, "test");
    await inSpan(rootScope(nodeTracing.tracer, assignment.traceparent), "entry", { "opus.entry.id": id }, async (scope) => {
      await inSpan(scope, "blueprint", {}, async () => undefined);
    });
    await nodeTracing.shutdown();

    // The node's events carry the traceparent back.
    const reporter = new EventReporter({ callbackUrl: assignment.callback_url, secret, traceparent: assignment.traceparent });
    const record = { step: "blueprint", progress: 0.1, words: 0, sections: { done: 0, total: 3 }, tokens: 0, eta_seconds: null };
    await reporter.send({ type: "progress", status: "blueprint", ...record });
    await reporter.send({ type: "failed", status: "failed", ...record, error: { code: "model_error", message: "test" } });

    await edge.close();
    edge = undefined;
    await expect.poll(() => receiver.spans.filter((s) => s.service === "opus-edge").length, { timeout: 10_000 }).toBeGreaterThanOrEqual(4);
    const spans = receiver.spans;
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([callerTrace]));
    const one = (name: string) => {
      const found = spans.filter((s) => s.name === name);
      expect(found, name).toHaveLength(1);
      return found[0]!;
    };
    const request = one("POST /v1/entries");
    const leased = one("lease entry");
    const entry = one("entry");
    expect(request).toMatchObject({ service: "opus-edge", parentSpanId: callerSpan });
    expect(request.attributes["opus.entry.id"]).toBe(id);
    expect(leased).toMatchObject({ service: "opus-edge", parentSpanId: request.spanId, spanId: dispatched.spanId });
    expect(entry).toMatchObject({ service: "opus-gpu-node", parentSpanId: leased.spanId });
    expect(one("blueprint").parentSpanId).toBe(entry.spanId);
    expect(one("node event progress").parentSpanId).toBe(leased.spanId);
    expect(one("node event failed")).toMatchObject({ parentSpanId: leased.spanId, attributes: expect.objectContaining({ "opus.entry.id": id, "opus.node.id": "gpu-a" }) });

    // The edge's structured logs name the entry and its trace.
    const lines = logs.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(lines).toEqual(expect.arrayContaining([
      expect.objectContaining({ msg: "entry submitted", entry_id: id, trace_id: callerTrace }),
      expect.objectContaining({ msg: "entry leased", entry_id: id, trace_id: callerTrace, node_id: "gpu-a" }),
      expect.objectContaining({ msg: "entry failed", entry_id: id, trace_id: callerTrace }),
    ]));
  });

  it("starts a trace of its own for a request without traceparent, and without an exporter still propagates one", async () => {
    const plain = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret });
    try {
      const key = await createApiKey(plain.db, "submitter", ["submit"]);
      expect((await client(plain, key.key)("POST", "/v1/entries", { subject: "Kenosis", tier: "B", category: "Theology" }, { traceparent: "garbage" })).status).toBe(202);
      const tp = parseTraceparent((await plain.db.select({ tp: entries.traceparent }).from(entries).get())?.tp);
      expect(tp).toBeDefined();
      expect(tp!.traceId).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await plain.close();
    }
  });
});
