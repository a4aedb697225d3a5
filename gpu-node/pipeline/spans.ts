// The pipeline's trace: one span per entry, with its steps, sections, paragraphs and model calls
// as children. The parent is passed explicitly (no global context manager), so concurrent entries
// and sections never mix their spans.
import { ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { parseTraceparent } from "../../shared/tracing/traceparent.ts";

export type TraceScope = { tracer: Tracer; context: Context };

/** A root scope: the given tracer, or the API's (a no-op until an SDK is configured). */
export function rootScope(tracer: Tracer | undefined, traceparent?: string): TraceScope {
  const parent = parseTraceparent(traceparent);
  // The edge's dispatch span, when the assignment names one: the entry's trace continues the edge's.
  const context = parent ? trace.setSpanContext(ROOT_CONTEXT, { traceId: parent.traceId, spanId: parent.spanId, traceFlags: parent.sampled ? 1 : 0, isRemote: true }) : ROOT_CONTEXT;
  return { tracer: tracer ?? trace.getTracer("opus-gpu-node"), context };
}

/** Runs `work` in a child span of `parent`, marks the span failed if `work` throws, and always ends it. */
export async function inSpan<T>(parent: TraceScope, name: string, attributes: Attributes, work: (scope: TraceScope, span: Span) => Promise<T>): Promise<T> {
  const span = parent.tracer.startSpan(name, { attributes }, parent.context);
  try {
    return await work({ tracer: parent.tracer, context: trace.setSpan(parent.context, span) }, span);
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}
