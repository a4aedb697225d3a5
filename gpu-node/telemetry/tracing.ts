// OpenTelemetry tracing of the node's work, exported over OTLP/HTTP to whatever the owner runs
// (an OpenTelemetry Collector, Jaeger, Grafana Tempo). Without an endpoint the pipeline gets the
// API's no-op tracer, so tracing costs nothing when it is off.
import { trace, type Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider, type SpanProcessor } from "@opentelemetry/sdk-trace";
import type { TelemetryConfig } from "./config.ts";

export type Tracing = {
  tracer: Tracer;
  /** Sends what is buffered now (e.g. before a test reads the collector). */
  flush(): Promise<void>;
  /** Flushes and stops exporting; called when the node closes. */
  shutdown(): Promise<void>;
};

export const tracerName = "opus-gpu-node";

/**
 * Tracing as the node's config asks for it. `version` becomes service.version (the node passes its
 * prompt version: what a reader comparing entries needs). `processor` replaces the OTLP export
 * (tests pass an in-memory exporter's).
 */
export function startTracing(telemetry: TelemetryConfig, version: string, processor?: SpanProcessor): Tracing {
  if (!telemetry.tracesEndpoint && !processor) {
    return { tracer: trace.getTracer(tracerName, version), flush: async () => undefined, shutdown: async () => undefined };
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": telemetry.serviceName, "service.version": version }),
    // Sampled per entry: a traced entry keeps all of its spans.
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(telemetry.sampleRatio) }),
    spanProcessors: [processor ?? new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: telemetry.tracesEndpoint }) })],
  });
  return { tracer: provider.getTracer(tracerName, version), flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
}
