// Builds what the generation pipeline runs on from a node's configuration: the engine as generator,
// the validators (with the knowledge base's uniqueness check), retrieval, checkpoints, and the
// reproducibility record. The node (main.ts), tests and benchmarks all assemble it here.
import { createHash } from "node:crypto";
import type { NodeDb } from "./db/client.ts";
import type { Engine, NodeConfig } from "./engine/index.ts";
import { createKnowledgeBase, createUniquenessValidator, type KnowledgeBase } from "./knowledge/index.ts";
import { CheckpointStore } from "./pipeline/checkpoints.ts";
import type { PipelineDeps } from "./pipeline/write-entry.ts";
import { createServerValidator, type ServerValidatorOptions } from "./validation.ts";

/** A stable hash of the settings that shape an entry (model settings and pipeline), for the record. */
export function configHash(config: NodeConfig): string {
  const { models, generation, pipeline, knowledge } = config;
  return createHash("sha256").update(JSON.stringify({ models, generation, pipeline, embedder: knowledge.embedder })).digest("hex").slice(0, 16);
}

export async function openKnowledge(config: NodeConfig, db: NodeDb): Promise<KnowledgeBase> {
  const k = config.knowledge;
  return createKnowledgeBase({
    db,
    dir: k.dir,
    embedder: { model: k.embedder, allowRemote: k.allowRemote, cacheDir: k.modelsDir },
    quantization: k.quantization,
    ...(k.goldenDir ? { goldenDir: k.goldenDir } : {}),
  });
}

export type NodePipeline = { deps: PipelineDeps; knowledge: KnowledgeBase | undefined; checkpoints: CheckpointStore };

export async function createNodePipeline(config: NodeConfig, db: NodeDb, engine: Engine, validation: Omit<ServerValidatorOptions, "extraValidators"> = {}): Promise<NodePipeline> {
  const info = await engine.modelInfo();
  const knowledge = config.knowledge.enabled ? await openKnowledge(config, db) : undefined;
  const checkpoints = new CheckpointStore(db);
  const deps: PipelineDeps = {
    generator: engine,
    config: config.pipeline,
    validator: createServerValidator({ ...validation, extraValidators: knowledge ? [createUniquenessValidator(knowledge)] : [] }),
    checkpoints,
    provenance: { model: info.id, modelSha256: info.sha256, configHash: configHash(config) },
    ...(knowledge
      ? { retrieve: async (query) => (await knowledge.retrieveForSection(query, config.pipeline.retrievalPassages)).map((hit) => hit.text) }
      : {}),
  };
  return { deps, knowledge, checkpoints };
}
