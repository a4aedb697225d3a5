// Assembles and starts a GPU node: configuration, the node database, the inference engine, the
// knowledge base, the validators, tracing, the entry runner (resuming unfinished entries), the
// signed HTTP API and the link to its edge. Whatever fails while starting releases what was opened
// already; closing releases everything, whatever fails (opened.ts).
import { serve, type ServerType } from "@hono/node-server";
import { assertSigningSecret } from "../shared/api/signing.ts";
import { loadNodeConfig, type NodeConfig } from "./config/index.ts";
import { openNodeDb } from "./db/client.ts";
import { resolveEdgeLink } from "./edge-link/config.ts";
import { startEdgeLink, type RunningEdgeLink } from "./edge-link/link.ts";
import { engineStatsSampler } from "./edge-link/stats.ts";
import { createEngine, engineRoutes, type Engine } from "./engine/index.ts";
import { EntryRunner } from "./entries/runner.ts";
import { indexFinishedEntry, knowledgeRoutes } from "./knowledge/index.ts";
import { OpenedParts } from "./opened.ts";
import type { CheckpointStore } from "./pipeline/checkpoints.ts";
import { promptVersion } from "./pipeline/version.ts";
import { createNodePipeline } from "./pipeline-deps.ts";
import { createNodeApp } from "./server.ts";
import { createNodeLogger } from "./telemetry/log.ts";
import { startTracing } from "./telemetry/tracing.ts";

export type GpuNodeOptions = {
  /** Settings as OPUS_* variables (OPUS_MODEL, OPUS_EDGE_URL, OPUS_NODE_DB...); default process.env. */
  env?: Record<string, string | undefined>;
  /** opus.config.json / .yaml; default OPUS_CONFIG or one found in the working directory. */
  configFile?: string;
  secret?: string;
  port?: number;
  hostname?: string;
  /** Where the node's log lines go (one JSON object per line, or text with OPUS_LOG_FORMAT=text); default stderr. */
  log?: (line: string) => void;
};

export type RunningGpuNode = {
  url: string;
  port: number;
  config: NodeConfig;
  engine: Engine;
  runner: EntryRunner;
  checkpoints: CheckpointStore;
  /** Ids of the entries resumed at start. */
  resumed: string[];
  /** Registration, heartbeats and pull leases with the edge (pull and push modes). */
  edgeLink?: RunningEdgeLink;
  /** Releases everything the node opened; rejects (after releasing the rest) naming what failed. */
  close: () => Promise<void>;
};

function listen(app: { fetch: (request: Request) => Response | Promise<Response> }, port: number, hostname: string): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, () => resolve(server));
    server.once("error", reject);
  });
}

function closeServer(server: ServerType): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    // Idle keep-alive connections from the edge would hold close() open until they time out.
    if ("closeIdleConnections" in server) server.closeIdleConnections();
  });
}

export async function startGpuNode(opts: GpuNodeOptions = {}): Promise<RunningGpuNode> {
  const secret = assertSigningSecret(opts.secret, "OPUS_NODE_SECRET");
  const config = loadNodeConfig({ env: opts.env ?? process.env, file: opts.configFile });
  const edge = resolveEdgeLink(config.edge, config.paths.database);
  // What the node tells, at the configured level (the CLI's progress bar owns the terminal at "error"),
  // every line with the node's id as its edge knows it (a static node is "static" there, whatever its own).
  const logger = createNodeLogger({
    level: config.logLevel,
    format: config.logFormat,
    ...(opts.log ? { write: opts.log } : {}),
    fields: edge && edge.mode !== "static" ? { node_id: edge.nodeId } : {},
  });
  const log = logger.log;
  const opened = new OpenedParts();
  try {
    const db = await openNodeDb(config.paths.database);
    opened.add("node database", () => db.$client.close());
    const engine = await createEngine(config, { db, logger: logger.with({ component: "engine" }).log });
    opened.add("engine", () => engine.close());
    const info = await engine.modelInfo();
    const { deps, knowledge, checkpoints } = await createNodePipeline(config, db, engine);
    if (knowledge) opened.add("knowledge base", () => knowledge.close());
    const tracing = startTracing(config.telemetry, promptVersion);
    opened.add("tracing", () => tracing.shutdown());
    deps.tracer = tracing.tracer;
    // The node writes as many entries at once as its generator has sequences (or fewer, if told).
    const capacity = config.entries.capacity === "auto" ? info.sequences : Math.min(config.entries.capacity, info.sequences);
    const runner = new EntryRunner({
      deps,
      secret,
      edge: edge ? { url: edge.edgeUrl, reportTimeoutMs: edge.reportTimeoutMs } : undefined,
      capacity,
      log,
      // Finished entries join the knowledge base: later entries are checked against them.
      ...(knowledge
        ? {
            onFinished: async (assignment, entry) => {
              await indexFinishedEntry(knowledge, { entryId: assignment.id, title: entry.title, markdown: entry.markdown });
            },
          }
        : {}),
    });
    opened.add("entries", () => runner.close());
    const app = createNodeApp({ secret, runner, log, routes: [engineRoutes(engine, log), ...(knowledge ? [knowledgeRoutes(knowledge)] : [])] });
    const hostname = opts.hostname ?? config.server.host;
    const server = await listen(app, opts.port ?? config.server.port, hostname);
    opened.add("HTTP server", () => closeServer(server));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : (opts.port ?? config.server.port);
    const url = `http://${hostname}:${port}`;
    if (!edge) log("warn", "no edge configured (OPUS_EDGE_URL): this node accepts no entries");
    const resumed = await runner.resumeUnfinished();
    // Always told: the node takes up work by itself.
    if (resumed.length > 0) logger.always("info", `resuming ${resumed.length} unfinished entr${resumed.length === 1 ? "y" : "ies"}: ${resumed.join(", ")}`, { entry_ids: resumed });
    // A static node (the edge calls it at OPUS_GPU_NODE_URL) only answers: it runs no link.
    const edgeLink = edge && edge.mode !== "static"
      ? startEdgeLink({ ...edge, secret, runner, listenUrl: url, model: info.id, queueDepth: () => engine.stats().queueDepth, stats: engineStatsSampler(engine), log })
      : undefined;
    if (edgeLink) opened.add("edge link", () => edgeLink.stop());
    return { url, port, config, engine, runner, checkpoints, resumed, edgeLink, close: () => opened.releaseAll() };
  } catch (error) {
    // Start-up failed: release what was opened, and say why it failed (not why a release did).
    await opened.releaseAll().catch((releaseError: Error) => logger.always("error", "while stopping after a failed start", { error: releaseError.message }));
    throw error;
  }
}
