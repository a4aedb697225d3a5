// Node only (imported by edge/node.ts, never by the Worker): exports the edge's spans over
// OTLP/HTTP when OPUS_TRACES_ENDPOINT is set. On Workers, Cloudflare's own trace export does this
// ([observability.traces] in wrangler.toml) and the edge only propagates the context.
import type { Tracer } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { edgeTracerName } from "./spans.ts";

export type EdgeTracing = { tracer: Tracer; flush(): Promise<void>; shutdown(): Promise<void> };

export function startEdgeTracing(env: Record<string, unknown>): EdgeTracing | undefined {
  const endpoint = typeof env.OPUS_TRACES_ENDPOINT === "string" && env.OPUS_TRACES_ENDPOINT ? env.OPUS_TRACES_ENDPOINT : undefined;
  if (!endpoint) return undefined;
  const serviceName = typeof env.OPUS_SERVICE_NAME === "string" && env.OPUS_SERVICE_NAME ? env.OPUS_SERVICE_NAME : "opus-edge";
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: endpoint }), scheduledDelayMillis: 1000 })],
  });
  return { tracer: provider.getTracer(edgeTracerName), flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() };
}
