// The pipeline on real parts, assembled exactly as a node assembles it: the engine on the test
// model, the real validators and knowledge base, checkpoints in a real libSQL file.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openNodeDb, type NodeDb } from "../../gpu-node/db/client.ts";
import { createEngine, type Engine } from "../../gpu-node/engine/index.ts";
import { loadNodeConfig, type NodeConfig } from "../../gpu-node/config/index.ts";
import type { KnowledgeBase } from "../../gpu-node/knowledge/index.ts";
import { createNodePipeline } from "../../gpu-node/pipeline-deps.ts";
import type { PipelineDeps } from "../../gpu-node/pipeline/write-entry.ts";
import type { ServerValidatorOptions } from "../../gpu-node/validation.ts";
import { testNodeEnv } from "./gpu-node.ts";

export type TestPipeline = { deps: PipelineDeps; engine: Engine; db: NodeDb; config: NodeConfig; knowledge: KnowledgeBase | undefined; dir: string; close: () => Promise<void> };

export async function startTestPipeline(env: Record<string, string> = {}, validation: Omit<ServerValidatorOptions, "extraValidators"> = {}): Promise<TestPipeline> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "opus-pipeline-"));
  const config = loadNodeConfig({ env: testNodeEnv(dir, env) });
  const db = await openNodeDb(config.paths.database);
  const engine = await createEngine(config, { db });
  const { deps, knowledge } = await createNodePipeline(config, db, engine, validation);
  return {
    deps,
    engine,
    db,
    config,
    knowledge,
    dir,
    close: async () => {
      await knowledge?.close();
      await engine.close();
      db.$client.close();
    },
  };
}
