// The sources library's settings (key `sources` of the node configuration). The library's works,
// passages and verses live in the node's database (paths.database); its vectors in `dir`, made by
// the knowledge base's embedder (knowledge.embedder), so one model serves both.
import { z } from "zod";

const bool = z.boolean({ error: "expected true or false" });

export const sourcesConfigSchema = z.strictObject({
  /** Ground entries in the library and check their quotations, when it holds works. */
  enabled: bool.default(true),
  /** Folder of the passages' vector index. */
  dir: z.string().min(1).default(".opus/sources"),
  /** Primary passages given to each section's prompts, with their citations. */
  primaryPassages: z.number().int().min(0).max(12).default(3),
  /** Library works offered to the blueprint as the sources to choose from (in place of the citation index's list). */
  blueprintWorks: z.number().int().min(0).max(60).default(16),
});

export type SourcesConfig = z.output<typeof sourcesConfigSchema>;
export const defaultSourcesConfig = (): SourcesConfig => sourcesConfigSchema.parse({});
