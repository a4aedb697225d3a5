// The one zod schema for the whole GPU node: the engine's sections (gpu-node/engine/config/schema.ts),
// the node's HTTP server, how many entries it writes at once, the pipeline, the knowledge base,
// telemetry and the link to its edge. Every OPUS_* variable the node reads maps to a key here (env.ts).
import { z } from "zod";
import { edgeLinkConfigSchema } from "../edge-link/config.ts";
import { engineConfigShape, positiveInt, type EngineConfig } from "../engine/config/schema.ts";
import { knowledgeConfigSchema } from "../knowledge/config.ts";
import { sourcesConfigSchema } from "../sources/config.ts";
import { pipelineConfigSchema } from "../pipeline/config.ts";
import { telemetryConfigSchema } from "../telemetry/config.ts";

const port = z
  .number({ error: "expected a port number from 1 to 65535" })
  .int({ error: "expected a port number from 1 to 65535" })
  .min(1, { error: "expected a port number from 1 to 65535" })
  .max(65535, { error: "expected a port number from 1 to 65535" });

export const nodeConfigSchema = z.strictObject({
  ...engineConfigShape,
  server: z.strictObject({ host: z.string().min(1).default("127.0.0.1"), port: port.default(8788) }).default({ host: "127.0.0.1", port: 8788 }),
  entries: z
    .strictObject({
      /**
       * Entries written at once. "auto": the generator's sequences, what the engine really runs; a
       * number lowers it. More are accepted and wait on the node for a free slot.
       */
      capacity: z.union([z.literal("auto"), positiveInt], { error: 'expected "auto" or a positive integer' }).default("auto"),
    })
    .prefault({}),
  /** The generation pipeline: tier table, loop bounds, quality gate (gpu-node/pipeline/config.ts). */
  pipeline: pipelineConfigSchema.prefault({}),
  /** The knowledge base: embeddings, vector index, golden corpus, uniqueness check. */
  knowledge: knowledgeConfigSchema.prefault({}),
  /** The sources library: grounding in the Fathers and the Scriptures, quotation checks (gpu-node/sources/config.ts). */
  sources: sourcesConfigSchema.prefault({}),
  telemetry: telemetryConfigSchema.prefault({}),
  /** The node's edge: its URL (the only callback the node accepts), how the node links to it. */
  edge: edgeLinkConfigSchema.prefault({}),
});

export type NodeConfigInput = z.input<typeof nodeConfigSchema>;
export type NodeConfig = z.output<typeof nodeConfigSchema> & EngineConfig;
