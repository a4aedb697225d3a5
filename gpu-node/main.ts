// Assembles and starts a GPU node: configuration, the node database, the inference engine, the
// knowledge base, the validators, the job runner (resuming unfinished jobs) and the signed HTTP API.
import { serve, type ServerType } from "@hono/node-server";
import { assertSigningSecret } from "../shared/api/signing.ts";
import { openNodeDb } from "./db/client.ts";
import { createEngine, engineRoutes, loadNodeConfig, type Engine, type NodeConfig } from "./engine/index.ts";
import { JobRunner } from "./jobs/runner.ts";
import type { CheckpointStore } from "./pipeline/checkpoints.ts";
import { indexFinishedEntry, knowledgeRoutes } from "./knowledge/index.ts";
import { createNodePipeline } from "./pipeline-deps.ts";
import { promptVersion } from "./pipeline/write-entry.ts";
import { startTracing } from "./telemetry/tracing.ts";
import { createNodeApp } from "./server.ts";
import { startEdgeLink, type EdgeLink } from "./dispatch/edge-link.ts";
import { readEdgeLinkSettings } from "./dispatch/settings.ts";

export type GpuNodeOptions = {
  /** Settings as OPUS_* variables (OPUS_MODEL, OPUS_THREADS, OPUS_NODE_DB...); default process.env. */
  env?: Record<string, string | undefined>;
  /** opus.config.json / .yaml; default OPUS_CONFIG or one found in the working directory. */
  configFile?: string;
  secret?: string;
  port?: number;
  hostname?: string;
  log?: (line: string) => void;
};

export type RunningGpuNode = {
  url: string;
  port: number;
  config: NodeConfig;
  engine: Engine;
  runner: JobRunner;
  checkpoints: CheckpointStore;
  /** Ids of the jobs resumed at start. */
  resumed: string[];
  /** Registration, heartbeats and pull leases with the edge (set when OPUS_EDGE_URL is). */
  edgeLink?: EdgeLink;
  close: () => Promise<void>;
};

export async function startGpuNode(opts: GpuNodeOptions = {}): Promise<RunningGpuNode> {
  const secret = assertSigningSecret(opts.secret, "OPUS_NODE_SECRET");
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const config = loadNodeConfig({ env: opts.env ?? process.env, file: opts.configFile });
  const linkSettings = readEdgeLinkSettings(opts.env ?? process.env, config.paths.database); // gpu-node/dispatch
  const db = await openNodeDb(config.paths.database);
  const engine = await createEngine(config, { db });
  try {
    const info = await engine.modelInfo();
    const { deps, knowledge, checkpoints } = await createNodePipeline(config, db, engine);
    const tracing = startTracing(config.telemetry, promptVersion);
    deps.tracer = tracing.tracer;
    const runner = new JobRunner({
      deps,
      secret,
      log,
      // Finished entries join the knowledge base: later entries are checked against them.
      ...(knowledge
        ? {
            onFinished: async (job, entry) => {
              await indexFinishedEntry(knowledge, { jobId: job.id, title: entry.title, markdown: entry.markdown });
            },
          }
        : {}),
    });
    const app = createNodeApp({ secret, runner, routes: [engineRoutes(engine), ...(knowledge ? [knowledgeRoutes(knowledge)] : [])] });
    const hostname = opts.hostname ?? config.server.host;
    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: opts.port ?? config.server.port, hostname }, () => resolve(s));
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : (opts.port ?? config.server.port);
    const resumed = await runner.resumeUnfinished();
    if (resumed.length > 0) log(`resuming ${resumed.length} unfinished job(s): ${resumed.join(", ")}`);
    // ---- edge link (gpu-node/dispatch): register, heartbeat, and in pull mode lease jobs ----
    const edgeLink = linkSettings ? startEdgeLink({ ...linkSettings, secret, runner, listenUrl: `http://${hostname}:${port}`, model: info.id, queueDepth: () => engine.stats().queueDepth, log }) : undefined;
    // ---- end edge link ----
    return {
      url: `http://${hostname}:${port}`,
      port,
      config,
      engine,
      runner,
      checkpoints,
      resumed,
      edgeLink,
      close: async () => {
        await edgeLink?.stop();
        await runner.close();
        await tracing.shutdown();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await knowledge?.close();
        await engine.close();
        db.$client.close();
      },
    };
  } catch (error) {
    await engine.close();
    db.$client.close();
    throw error;
  }
}
