// The GPU node's one logger: every part (the entry runner, the edge link, the engine, the node's
// start) writes through it, at the configured level (`logLevel`), as one JSON object per line in the
// edge's shape (shared/logging/line.ts), or as plain text (`logFormat: text`) for a terminal. Lines
// about an entry carry its entry_id and trace_id, so an operator finds them beside the entry's trace.
import { jsonLogLine, logLevelRank, type LogFields, type LogLevel } from "../../shared/logging/line.ts";
import { parseTraceparent } from "../../shared/tracing/traceparent.ts";
import type { EngineConfig } from "../engine/config/schema.ts";

export type { LogFields, LogLevel };
export type LogFormat = EngineConfig["logFormat"];

export const nodeLogService = "opus-gpu-node";

/** What the node's parts are given to tell what they do: a level, a message and its fields. */
export type Log = (level: LogLevel, msg: string, fields?: LogFields) => void;

export type NodeLogger = {
  readonly log: Log;
  /** Written whatever the level: what the node does by itself that its owner must always see. */
  readonly always: Log;
  /** A logger whose lines carry `fields` as well (a line's own fields win). */
  with(fields: LogFields): NodeLogger;
};

export type NodeLoggerOptions = {
  level: LogLevel;
  format?: LogFormat;
  /** Where a finished line goes (without its newline); default stderr. */
  write?: (line: string) => void;
  fields?: LogFields;
};

/** A field value as text: errors by their stack, strings quoted when they hold spaces (logfmt). */
function textValue(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  if (typeof value === "string") return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

function textLogLine(level: LogLevel, msg: string, fields: LogFields): string {
  const tail = Object.entries(fields)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${textValue(v)}`);
  return `${level}: ${msg}${tail.length > 0 ? ` (${tail.join(" ")})` : ""}`;
}

export function createNodeLogger(opts: NodeLoggerOptions): NodeLogger {
  const write = opts.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const format = opts.format ?? "json";
  const base = opts.fields ?? {};
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}) => {
    const all = { ...base, ...fields };
    write(format === "json" ? jsonLogLine(nodeLogService, level, msg, all) : textLogLine(level, msg, all));
  };
  return {
    log: (level, msg, fields) => {
      if (logLevelRank[level] <= logLevelRank[opts.level]) emit(level, msg, fields);
    },
    always: emit,
    with: (fields) => createNodeLogger({ ...opts, write, fields: { ...base, ...fields } }),
  };
}

/** For a part run without the node's logger (a test's app, a tool): JSON lines on stderr. */
export const stderrLog: Log = createNodeLogger({ level: "info" }).log;

/** The fields of every line about an entry: its id, and the trace its assignment continues. */
export function entryLogFields(assignment: { id: string; traceparent?: string | undefined }): LogFields {
  const trace = parseTraceparent(assignment.traceparent);
  return { entry_id: assignment.id, ...(trace ? { trace_id: trace.traceId } : {}) };
}
