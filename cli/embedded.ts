// The embedded default of the CLI's writing commands: the edge on the local libSQL file
// (.opus/edge.db) and a GPU node in this process that registers with it as a push-mode node, so the
// node's callbacks go to the edge's own address and nowhere else. Both keep their state under .opus/,
// so a later command (`opus retry`) finds the entry and the node's checkpoints again.
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { RunningEdge } from "../edge/node.ts";
import type { RunningGpuNode } from "../gpu-node/main.ts";
import { defaultDbUrl, defaultNodeSecret, remembered, stateDir } from "./defaults.ts";

export type EmbeddedSystem = { edge: RunningEdge; node: RunningGpuNode; key: string; close: () => Promise<void> };

/** The key the CLI uses against its own embedded edge, created on first use. */
export async function embeddedKey(edge: RunningEdge): Promise<string> {
  const { createApiKey, findKey } = await import("../edge/auth.ts");
  const saved = remembered("cli-key", () => "");
  if (saved && (await findKey(edge.db, saved))) return saved;
  const { key } = await createApiKey(edge.db, "opus cli (embedded)");
  writeFileSync(path.join(stateDir, "cli-key"), `${key}\n`, { mode: 0o600 });
  return key;
}

/** Starts the embedded edge, then the node linked to it; `close()` stops both, whatever fails. */
export async function startEmbedded(opts: { json: boolean; config?: string }): Promise<EmbeddedSystem> {
  // Loaded here, not at the top: the engine's native modules cost seconds that other commands need not pay.
  // The user watches a progress bar: the embedded edge's and node's info lines stay out of the terminal.
  const logLevel = process.env.OPUS_LOG_LEVEL;
  process.env.OPUS_LOG_LEVEL ??= "warn";
  const { startEdge } = await import("../edge/node.ts");
  const { startGpuNode } = await import("../gpu-node/main.ts");
  const { builtInModelNote, chooseGeneratorModel } = await import("./generator-model.ts");
  const model = chooseGeneratorModel(process.env, { configFile: opts.config });
  if (model.builtIn && !opts.json) process.stderr.write(`${builtInModelNote()}\n`);
  const secret = defaultNodeSecret();
  const { OPUS_GPU_NODE_URL: _static, OPUS_PUBLIC_URL: _public, ...env } = process.env;
  const edge = await startEdge({ ...env, OPUS_DB_URL: defaultDbUrl(), OPUS_NODE_SECRET: secret }, { port: 0 });
  let node: RunningGpuNode;
  try {
    // The progress bar owns the terminal: the engine reports errors only, as plain lines for a person, unless told otherwise.
    node = await startGpuNode({
      env: { ...model.env, OPUS_LOG_LEVEL: logLevel ?? "error", OPUS_LOG_FORMAT: process.env.OPUS_LOG_FORMAT ?? "text", OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "push", OPUS_NODE_PUBLIC_URL: undefined },
      secret,
      port: 0,
      configFile: opts.config,
    });
  } catch (error) {
    await edge.close();
    throw error;
  }
  const key = await embeddedKey(edge).catch(async (error: unknown) => {
    await Promise.allSettled([node.close(), edge.close()]);
    throw error;
  });
  return {
    edge,
    node,
    key,
    close: async () => {
      const results = await Promise.allSettled([node.close()]);
      results.push(...(await Promise.allSettled([edge.close()])));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
    },
  };
}
