// The edge's spans, through the OpenTelemetry API only (runtime-agnostic: the same in the Worker and
// on Node). On Node with OPUS_TRACES_ENDPOINT the tracer exports over OTLP (edge/tracing/node-export.ts);
// otherwise it is the API's no-op, and the edge still makes a span id of its own, so the W3C
// traceparent it stores with an entry and sends to GPU nodes always names a span of one trace.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from "@opentelemetry/api";
import { jsonLogLine } from "../../shared/logging/line.ts";
import { childOf, formatTraceparent, parseTraceparent } from "../../shared/tracing/traceparent.ts";

export const edgeTracerName = "opus-edge";

export type EdgeSpan = {
  span: Span;
  /** The traceparent naming this span: what the next hop takes as its parent. */
  traceparent: string;
  traceId: string;
  end(error?: unknown): void;
};

export function startEdgeSpan(tracer: Tracer | undefined, name: string, parentHeader: string | null | undefined, attributes: Attributes, kind: SpanKind = SpanKind.INTERNAL): EdgeSpan {
  const parent = parseTraceparent(parentHeader);
  const context = parent ? trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.sampled ? 1 : 0, isRemote: true }) : ROOT_CONTEXT;
  const span = (tracer ?? trace.getTracer(edgeTracerName)).startSpan(name, { attributes, kind }, context);
  const own = span.spanContext();
  const tp = span.isRecording() && trace.isSpanContextValid(own) ? { traceId: own.traceId, spanId: own.spanId, sampled: (own.traceFlags & 1) === 1 } : childOf(parent);
  return {
    span,
    traceparent: formatTraceparent(tp),
    traceId: tp.traceId,
    end(error) {
      if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      span.end();
    },
  };
}

/**
 * The span of handing an entry to a node (pushed or leased), child of the request that submitted it;
 * the assignment carries its traceparent, so the node's entry span is its child.
 */
export function dispatchSpan(tracer: Tracer | undefined, row: { id: string; traceparent: string | null; attempt: number }, nodeId: string, mode: "push" | "pull"): EdgeSpan {
  const span = startEdgeSpan(tracer, mode === "push" ? "dispatch entry" : "lease entry", row.traceparent, { "opus.entry.id": row.id, "opus.node.id": nodeId, "opus.dispatch.mode": mode, "opus.attempt": row.attempt }, SpanKind.CLIENT);
  logEntryEvent(mode === "push" ? "entry dispatched" : "entry leased", { entry_id: row.id, trace_id: span.traceId, node_id: nodeId });
  return span;
}

/** One structured log line (JSON, shared/logging/line.ts: the GPU node's shape too) carrying the entry id and the trace id. */
export function logEntryEvent(message: string, fields: { entry_id: string; trace_id: string } & Record<string, unknown>): void {
  // OPUS_LOG_LEVEL=warn|error quiets them (the CLI's embedded edge, whose user watches a progress bar);
  // Workers have no process.env and always log.
  const level = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.OPUS_LOG_LEVEL;
  if (level === "warn" || level === "error" || level === "silent") return;
  console.log(jsonLogLine("opus-edge", "info", message, fields));
}

export { SpanKind };
