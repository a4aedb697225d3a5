// A real GPU node on the small test model, with its own database and cache in a temporary folder.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startGpuNode, type RunningGpuNode } from "../../gpu-node/main.ts";
import { testModelPath } from "./models.ts";

/** OPUS_* settings for a node on the test model: one thread (see PROVENANCE.md), files in `dir`. */
export function testNodeEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OPUS_MODEL: testModelPath,
    OPUS_THREADS: "1",
    OPUS_SEQUENCES: "4",
    OPUS_CONTEXT_SIZE: "512",
    OPUS_NODE_DB: path.join(dir, "gpu-node.db"),
    OPUS_CACHE_DIR: path.join(dir, "cache"),
    OPUS_KNOWLEDGE_DIR: path.join(dir, "knowledge"),
    // The built embedding model is the same for every test: build it once per machine.
    OPUS_EMBEDDER_CACHE: path.join(os.tmpdir(), "opus-test-embedder-cache"),
    OPUS_LOG_LEVEL: "error",
    ...extra,
  };
}

/**
 * `port`: a port chosen beforehand, for an edge told the node's URL (OPUS_GPU_NODE_URL) before the node starts.
 * `logs`: every line the node wrote (at OPUS_LOG_LEVEL, error unless `extra` says otherwise), also sent to stderr.
 */
export async function startTestNode(
  secret: string,
  extra: Record<string, string> = {},
  dir = mkdtempSync(path.join(os.tmpdir(), "opus-node-")),
  port = 0,
): Promise<RunningGpuNode & { dir: string; logs: string[] }> {
  const logs: string[] = [];
  const log = (line: string) => {
    logs.push(line);
    process.stderr.write(`${line}\n`);
  };
  const node = await startGpuNode({ env: testNodeEnv(dir, extra), secret, port, hostname: "127.0.0.1", log });
  return { ...node, dir, logs };
}
