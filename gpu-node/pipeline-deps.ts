// Builds what the generation pipeline runs on from a node's configuration: the engine as generator,
// the validators (with the knowledge base's uniqueness check), retrieval, checkpoints, and the
// reproducibility record. The node (main.ts), tests and benchmarks all assemble it here.
import { createHash } from "node:crypto";
import type { NodeDb } from "./db/client.ts";
import type { NodeConfig } from "./config/index.ts";
import type { Engine } from "./engine/index.ts";
import { createUniquenessValidator, type KnowledgeBase } from "./knowledge/index.ts";
import { openKnowledgeBase } from "./knowledge/open.ts";
import { CheckpointStore } from "./pipeline/checkpoints.ts";
import type { PipelineDeps } from "./pipeline/write-entry.ts";
import { createServerValidator, type ServerValidatorOptions } from "./validation.ts";
import { createGrounding } from "./sources/grounding.ts";
import type { SourceLibrary } from "./sources/library.ts";
import { openSourceLibrary } from "./sources/open.ts";
import { sourceCatalog } from "../shared/validation/quotation/index.ts";

/** A stable hash of the settings that shape an entry (model settings and pipeline), for the record. */
export function configHash(config: NodeConfig): string {
  const { models, generation, pipeline, knowledge, sources } = config;
  return createHash("sha256").update(JSON.stringify({ models, generation, pipeline, embedder: knowledge.embedder, sources })).digest("hex").slice(0, 16);
}


export type NodePipeline = { deps: PipelineDeps; knowledge: KnowledgeBase | undefined; checkpoints: CheckpointStore; sources: SourceLibrary | undefined };

/** The sources library, when enabled and not empty (`opus sources import` fills it), sharing the knowledge base's embedder. */
async function openSources(config: NodeConfig, db: NodeDb, knowledge: KnowledgeBase | undefined): Promise<SourceLibrary | undefined> {
  if (!config.sources.enabled) return undefined;
  const library = await openSourceLibrary(db, config, { embedder: knowledge ? knowledge.embedder : false });
  const { works, verses } = await library.store.counts();
  if (works + verses > 0) return library;
  await library.close();
  return undefined;
}

export async function createNodePipeline(config: NodeConfig, db: NodeDb, engine: Engine, validation: Omit<ServerValidatorOptions, "extraValidators"> = {}): Promise<NodePipeline> {
  const info = await engine.modelInfo();
  const knowledge = config.knowledge.enabled ? await openKnowledgeBase(db, config.knowledge) : undefined;
  const checkpoints = new CheckpointStore(db);
  const sources = await openSources(config, db, knowledge);
  const deps: PipelineDeps = {
    generator: engine,
    config: config.pipeline,
    validator: createServerValidator({
      ...validation,
      extraValidators: knowledge ? [createUniquenessValidator(knowledge)] : [],
      ...(sources ? { sources: { lookup: sources.lookup, catalog: await sourceCatalog(sources.lookup) } } : {}),
    }),
    checkpoints,
    provenance: { model: info.id, modelSha256: info.sha256, configHash: configHash(config) },
    ...(knowledge
      ? { retrieve: async (query) => (await knowledge.retrieveForSection(query, config.pipeline.retrievalPassages)).map((hit) => hit.text) }
      : {}),
    ...(sources ? { sources: createGrounding(sources, { works: config.sources.blueprintWorks, passages: config.sources.primaryPassages }) } : {}),
  };
  return { deps, knowledge, checkpoints, sources };
}
