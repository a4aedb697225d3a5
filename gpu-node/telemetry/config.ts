// Tracing settings (key `telemetry` of the node configuration): OpenTelemetry traces of every
// entry, its steps, sections, paragraphs and model calls.
import { z } from "zod";
import { fraction } from "../engine/config/schema.ts";

export const telemetryConfigSchema = z.strictObject({
  /** OTLP/HTTP traces URL, e.g. http://localhost:4318/v1/traces (an OpenTelemetry Collector, Jaeger, Tempo); unset: no tracing. */
  tracesEndpoint: z.url({ protocol: /^https?$/, error: "expected an http(s) URL such as http://localhost:4318/v1/traces" }).optional(),
  serviceName: z.string().min(1).default("opus-gpu-node"),
  /** Share of entries traced (head sampling per entry). */
  sampleRatio: fraction.default(1),
});

export type TelemetryConfig = z.output<typeof telemetryConfigSchema>;
