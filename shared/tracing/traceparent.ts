// The W3C Trace Context `traceparent` header (https://www.w3.org/TR/trace-context/): parsed and
// formatted here, with no runtime dependency, so the edge (Workers and Node) and the GPU node pass
// one trace along: the edge request that submitted an entry, its dispatch, the node's pipeline, and
// the node's events back.
export type TraceParent = { traceId: string; spanId: string; sampled: boolean };

const pattern = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
export const traceparentPattern = pattern;

/** The header's context, or undefined when it is absent or malformed (all-zero ids are invalid). */
export function parseTraceparent(header: string | null | undefined): TraceParent | undefined {
  const match = pattern.exec((header ?? "").trim().toLowerCase());
  if (!match) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}

export function formatTraceparent(tp: TraceParent): string {
  return `00-${tp.traceId}-${tp.spanId}-${tp.sampled ? "01" : "00"}`;
}

const hex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");

/** A new span in the same trace (or a new trace when there is no parent). */
export function childOf(parent: TraceParent | undefined): TraceParent {
  return { traceId: parent?.traceId ?? hex(16), spanId: hex(8), sampled: parent?.sampled ?? true };
}
