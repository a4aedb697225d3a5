// The one shape of a structured log line, written by the edge (Workers and Node) and the GPU node
// alike, so an operator's log pipeline reads both with one parser: a JSON object per line with
// level, time (ISO 8601), service and msg first, then the line's fields (entry_id, trace_id,
// node_id...). No runtime dependency: the Worker bundles this file.
export const logLevels = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof logLevels)[number];

/** Lower is more severe: a logger at level L writes the lines whose rank is at most L's. */
export const logLevelRank: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

export type LogFields = Record<string, unknown>;

/** Errors keep their message and stack (JSON.stringify would write `{}`); bigints become text. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  if (typeof value === "bigint") return value.toString();
  return value;
}

/** One log record as a JSON line (without the newline). Fields never replace the four leading keys. */
export function jsonLogLine(service: string, level: LogLevel, msg: string, fields: LogFields = {}, time: Date = new Date()): string {
  const { level: _l, time: _t, service: _s, msg: _m, ...rest } = fields;
  return JSON.stringify({ level, time: time.toISOString(), service, msg, ...rest }, jsonSafe);
}
