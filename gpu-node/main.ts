// Assembles and starts a GPU node: configuration, the node database, the inference engine, the
// knowledge base, the validators, the job runner (resuming unfinished jobs) and the signed HTTP API.
import { createHash } from "node:crypto";
import { serve, type ServerType } from "@hono/node-server";
import { assertSigningSecret } from "../shared/api/signing.ts";
import { openNodeDb } from "./db/client.ts";
import { createEngine, engineRoutes, loadNodeConfig, type Engine, type NodeConfig } from "./engine/index.ts";
import { JobRunner } from "./jobs/runner.ts";
import { CheckpointStore } from "./pipeline/checkpoints.ts";
import { createServerValidator } from "./validation.ts";
import { createNodeApp } from "./server.ts";

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
  close: () => Promise<void>;
};

/** A stable hash of the settings that shape an entry (model settings and pipeline), for the record. */
function configHash(config: NodeConfig): string {
  const { models, generation, pipeline } = config as NodeConfig & { pipeline?: unknown };
  return createHash("sha256").update(JSON.stringify({ models, generation, pipeline })).digest("hex").slice(0, 16);
}

export async function startGpuNode(opts: GpuNodeOptions = {}): Promise<RunningGpuNode> {
  const secret = assertSigningSecret(opts.secret, "OPUS_NODE_SECRET");
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const config = loadNodeConfig({ env: opts.env ?? process.env, file: opts.configFile });
  const db = await openNodeDb(config.paths.database);
  const engine = await createEngine(config, { db });
  try {
    const info = await engine.modelInfo();
    const checkpoints = new CheckpointStore(db);
    const validator = createServerValidator();
    const runner = new JobRunner({
      deps: {
        generator: engine,
        config: config.pipeline,
        validator,
        checkpoints,
        provenance: { model: info.id, modelSha256: info.sha256, configHash: configHash(config) },
      },
      secret,
      log,
    });
    const app = createNodeApp({ secret, runner, routes: [engineRoutes(engine)] });
    const hostname = opts.hostname ?? config.server.host;
    const server: ServerType = await new Promise((resolve) => {
      const s = serve({ fetch: app.fetch, port: opts.port ?? config.server.port, hostname }, () => resolve(s));
    });
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : (opts.port ?? config.server.port);
    const resumed = await runner.resumeUnfinished();
    if (resumed.length > 0) log(`resuming ${resumed.length} unfinished job(s): ${resumed.join(", ")}`);
    return {
      url: `http://${hostname}:${port}`,
      port,
      config,
      engine,
      runner,
      checkpoints,
      resumed,
      close: async () => {
        await runner.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
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
