// OpenTelemetry traces of an entry: one trace per entry, its steps, sections, paragraphs and model
// calls nested as they ran, exported over OTLP/HTTP to a collector.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { SpanStatusCode } from "@opentelemetry/api";
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadNodeConfig } from "../../gpu-node/config/index.ts";
import { runPipeline } from "../../gpu-node/pipeline/write-entry.ts";
import { startTracing } from "../../gpu-node/telemetry/tracing.ts";
import { testModelPath } from "../support/models.ts";
import { startTestPipeline, type TestPipeline } from "../support/pipeline.ts";
import { entryHangGuardMs } from "../support/bounds.ts";

const telemetry = { serviceName: "opus-test", sampleRatio: 1 };
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan) => span.spanContext().spanId;

describe("entry traces", () => {
  let t: TestPipeline;
  const exporter = new InMemorySpanExporter();
  beforeAll(async () => {
    t = await startTestPipeline();
    t.deps.tracer = startTracing(telemetry, "test", new SimpleSpanProcessor({ exporter })).tracer;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("nests steps, sections, paragraphs and model calls under one entry span", async () => {
    exporter.reset();
    const job = { id: "ent_traced", subject: "Holy Icons", tier: "B" as const, category: "Theology", seed: 5 };
    await t.deps.checkpoints.open({ ...job, callback_url: "http://127.0.0.1:1/unused" });
    const result = await runPipeline(job, t.deps, { signal: new AbortController().signal, onProgress: () => undefined });
    const spans = exporter.getFinishedSpans();

    const entries = spans.filter((s) => s.name === "entry");
    expect(entries).toHaveLength(1);
    const entry = entries[0]!;
    expect(entry.attributes).toMatchObject({ "opus.entry.id": "ent_traced", "opus.tier": "B", "opus.status": result.status, "opus.words": result.entry.words, "opus.resumed": false });
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);

    const byId = new Map(spans.map((s) => [idOf(s), s]));
    const parentName = (s: ReadableSpan) => byId.get(parentOf(s)!)?.name;
    const named = (name: string) => spans.filter((s) => s.name === name);
    expect(named("blueprint").map(parentName)).toEqual(["entry"]);
    const sections = named("section");
    expect(sections.map((s) => s.attributes["opus.section"])).toEqual(expect.arrayContaining(["I", "II", "III", "IV"]));
    expect(sections.every((s) => parentName(s) === "entry")).toBe(true);
    expect(named("validate").length).toBeGreaterThanOrEqual(1);
    // Planned paragraphs sit under their section; expansions for the entry's minimum and corrections under the entry.
    for (const p of named("paragraph")) expect(["section", "entry"]).toContain(parentName(p));
    expect(named("paragraph").filter((p) => parentName(p) === "section").length).toBeGreaterThan(8);
    // Every model call belongs to a paragraph or to the blueprint, and their tokens add up to the entry's.
    const calls = named("llm.generate");
    for (const c of calls) expect(["paragraph", "blueprint"]).toContain(parentName(c));
    const tokens = calls.reduce((n, c) => n + Number(c.attributes["gen_ai.usage.output_tokens"]), 0);
    expect(tokens).toBe(result.entry.metadata.tokens);
    expect(entry.attributes["gen_ai.usage.output_tokens"]).toBe(result.entry.metadata.tokens);
    expect(calls.every((c) => c.attributes["opus.prompt_style"] === "completion")).toBe(true);
    // Children end before their parents (within the SDK's clock, which anchors each span on
    // Date.now(), so spans may disagree by up to a millisecond).
    const endMs = (s: ReadableSpan) => s.endTime[0] * 1e3 + s.endTime[1] / 1e6;
    for (const s of spans) {
      const parent = byId.get(parentOf(s)!);
      if (parent) expect(endMs(s)).toBeLessThanOrEqual(endMs(parent) + 2);
    }
  }, entryHangGuardMs);

  it("marks the entry span failed, with the reason, when the entry stops", async () => {
    exporter.reset();
    const job = { id: "ent_traced_stop", subject: "Theotokos", tier: "B" as const, category: "Theology", seed: 6 };
    await t.deps.checkpoints.open({ ...job, callback_url: "http://127.0.0.1:1/unused" });
    const controller = new AbortController();
    const running = runPipeline(job, t.deps, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.status === "sections" && p.words > 0) controller.abort(new Error("canceled by the test"));
      },
    });
    await expect(running).rejects.toThrow();
    const entry = exporter.getFinishedSpans().find((s) => s.name === "entry")!;
    expect(entry.status).toMatchObject({ code: SpanStatusCode.ERROR, message: "canceled by the test" });
    expect(entry.events.some((e) => e.name === "exception")).toBe(true);
  }, entryHangGuardMs);
});

describe("OTLP export", () => {
  const received: { path: string; type: string; body: string }[] = [];
  let server: http.Server;
  let endpoint: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        received.push({ path: req.url ?? "", type: req.headers["content-type"] ?? "", body });
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("sends spans to the configured collector with the service's name", async () => {
    const tracing = startTracing({ ...telemetry, tracesEndpoint: endpoint }, "2026-11-24.1");
    tracing.tracer.startSpan("probe", { attributes: { "opus.entry.id": "ent_probe" } }).end();
    await tracing.shutdown();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: "/v1/traces", type: "application/json" });
    const sent = JSON.parse(received[0]!.body) as {
      resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { name: string }[] }[] }[];
    };
    const resource = Object.fromEntries(sent.resourceSpans[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue]));
    expect(resource).toMatchObject({ "service.name": "opus-test", "service.version": "2026-11-24.1" });
    expect(sent.resourceSpans[0]!.scopeSpans[0]!.spans.map((s) => s.name)).toEqual(["probe"]);
  });

  it("samples whole entries: a ratio of 0 sends nothing", async () => {
    const before = received.length;
    const tracing = startTracing({ ...telemetry, tracesEndpoint: endpoint, sampleRatio: 0 }, "v");
    tracing.tracer.startSpan("unsampled").end();
    await tracing.shutdown();
    expect(received.length).toBe(before);
  });

  it("takes the endpoint from OPUS_TRACES_ENDPOINT and names a bad one", () => {
    const env = { OPUS_MODEL: testModelPath };
    expect(loadNodeConfig({ env: { ...env, OPUS_TRACES_ENDPOINT: endpoint } }).telemetry).toMatchObject({ tracesEndpoint: endpoint, serviceName: "opus-gpu-node", sampleRatio: 1 });
    expect(() => loadNodeConfig({ env: { ...env, OPUS_TRACES_ENDPOINT: "collector:4318" } })).toThrow(/telemetry\.tracesEndpoint/);
  });
});
