// The pipeline on real parts: the engine on the test model, the real validators, checkpoints in a
// real libSQL file.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openNodeDb, type NodeDb } from "../../gpu-node/db/client.ts";
import { createEngine, loadNodeConfig, type Engine, type NodeConfig } from "../../gpu-node/engine/index.ts";
import { CheckpointStore } from "../../gpu-node/pipeline/checkpoints.ts";
import type { PipelineDeps } from "../../gpu-node/pipeline/write-entry.ts";
import { createServerValidator, type ServerValidatorOptions } from "../../gpu-node/validation.ts";
import { testNodeEnv } from "./gpu-node.ts";

export type TestPipeline = { deps: PipelineDeps; engine: Engine; db: NodeDb; config: NodeConfig; dir: string; close: () => Promise<void> };

export async function startTestPipeline(env: Record<string, string> = {}, validation: ServerValidatorOptions = {}): Promise<TestPipeline> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "opus-pipeline-"));
  const config = loadNodeConfig({ env: testNodeEnv(dir, env) });
  const db = await openNodeDb(config.paths.database);
  const engine = await createEngine(config, { db });
  const info = await engine.modelInfo();
  return {
    deps: {
      generator: engine,
      config: config.pipeline,
      validator: createServerValidator(validation),
      checkpoints: new CheckpointStore(db),
      provenance: { model: info.id, modelSha256: info.sha256, configHash: "test" },
    },
    engine,
    db,
    config,
    dir,
    close: async () => {
      await engine.close();
      db.$client.close();
    },
  };
}
