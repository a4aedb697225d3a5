// The GPU node's logger (gpu-node/telemetry/log.ts): one JSON object per line in the edge's shape
// (shared/logging/line.ts), the configured level, fields added by `with`, the text format, and the
// fields of a line about an entry (its id and the trace its traceparent names).
import { describe, expect, it } from "vitest";
import { jsonLogLine } from "../../shared/logging/line.ts";
import { createNodeLogger, entryLogFields } from "../../gpu-node/telemetry/log.ts";
import { loadNodeConfig } from "../../gpu-node/config/index.ts";

function capture(level: "error" | "warn" | "info" | "debug", format?: "json" | "text") {
  const lines: string[] = [];
  const logger = createNodeLogger({ level, format, write: (line) => void lines.push(line), fields: { node_id: "gpu-a" } });
  return { logger, lines };
}

describe("the node's logger", () => {
  it("writes one JSON object per line: level, time, service, msg first, then the fields", () => {
    const { logger, lines } = capture("info");
    logger.with({ entry_id: "ent_1", trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" }).log("info", "entry started", { resumed: false });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("\n");
    const record = JSON.parse(lines[0]!);
    expect(Object.keys(record)).toEqual(["level", "time", "service", "msg", "node_id", "entry_id", "trace_id", "resumed"]);
    expect(record).toMatchObject({ level: "info", service: "opus-gpu-node", msg: "entry started", node_id: "gpu-a", entry_id: "ent_1", resumed: false });
    expect(new Date(record.time).toISOString()).toBe(record.time);
  });

  it("keeps to the configured level; `always` lines are written whatever it is", () => {
    const { logger, lines } = capture("warn");
    logger.log("info", "quiet");
    logger.log("debug", "quieter");
    logger.log("warn", "shown");
    logger.log("error", "shown too");
    logger.always("info", "resuming 1 unfinished entry: ent_1");
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["shown", "shown too", "resuming 1 unfinished entry: ent_1"]);
  });

  it("writes an error's message and stack, on one line, and never lets a field replace the leading keys", () => {
    const { logger, lines } = capture("error");
    logger.log("error", "entry failed", { error: new Error("model exploded\nbadly"), msg: "not this", level: "info" });
    const record = JSON.parse(lines[0]!);
    expect(lines[0]!.split("\n")).toHaveLength(1);
    expect(record).toMatchObject({ level: "error", msg: "entry failed", error: { name: "Error", message: "model exploded\nbadly" } });
    expect(record.error.stack).toContain("node-log.test.ts");
    expect(JSON.parse(jsonLogLine("opus-edge", "warn", "m", { service: "other", time: "then", n: 10n })).service).toBe("opus-edge");
    expect(JSON.parse(jsonLogLine("opus-edge", "warn", "m", { n: 10n })).n).toBe("10");
  });

  it("writes plain lines for a terminal with OPUS_LOG_FORMAT=text", () => {
    const { logger, lines } = capture("info", "text");
    logger.log("warn", "edge link: connected", { edge_url: "http://edge:8787", reason: "two words" });
    expect(lines).toEqual(['warn: edge link: connected (node_id=gpu-a edge_url=http://edge:8787 reason="two words")']);
    expect(loadNodeConfig({ env: { OPUS_MODEL: "/m.gguf", OPUS_LOG_FORMAT: "text" } }).logFormat).toBe("text");
    expect(loadNodeConfig({ env: { OPUS_MODEL: "/m.gguf" } }).logFormat).toBe("json");
    expect(() => loadNodeConfig({ env: { OPUS_MODEL: "/m.gguf", OPUS_LOG_FORMAT: "xml" } })).toThrow(/logFormat.*"json" or "text"/);
  });

  it("names an entry and the trace of its traceparent; a malformed one gives no trace id", () => {
    expect(entryLogFields({ id: "ent_1", traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" })).toEqual({ entry_id: "ent_1", trace_id: "4bf92f3577b34da6a3ce929d0e0e4736" });
    expect(entryLogFields({ id: "ent_1", traceparent: "garbage" })).toEqual({ entry_id: "ent_1" });
    expect(entryLogFields({ id: "ent_1" })).toEqual({ entry_id: "ent_1" });
  });
});
