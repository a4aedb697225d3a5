// Settings of the generation pipeline: the tier table and every loop bound. Part of the node config
// (key `pipeline`), so it is validated and overridable like the rest.
import { z } from "zod";
import { promptStyles } from "../../shared/api/node-protocol.ts";

const positiveInt = z.number().int().positive();
const fraction = z.number().min(0).max(1);

const tierPlan = z.strictObject({
  /** The entry must reach this many words. */
  minWords: positiveInt,
  /** Words planned per section are set so the total lands this far above the minimum. */
  margin: fraction,
  sections: z.number().int().min(1).max(20),
});

export const pipelineConfigSchema = z.strictObject({
  tiers: z
    .strictObject({ S: tierPlan, A: tierPlan, B: tierPlan })
    .default({
      S: { minWords: 10_000, margin: 0.08, sections: 6 },
      A: { minWords: 5_000, margin: 0.08, sections: 5 },
      B: { minWords: 2_500, margin: 0.08, sections: 4 },
    }),
  /** A section is planned as paragraphs of about this many words. */
  paragraphWords: z.number().int().min(40).max(600).default(170),
  /** Passes that may continue one paragraph when a pass stops short (small contexts need several). */
  paragraphPasses: z.number().int().min(1).max(20).default(4),
  /** Attempts at one generation step when it fails (an engine error, unusable output). */
  sectionAttempts: z.number().int().min(1).max(10).default(3),
  /**
   * Retries of one generation that ran past its time limit or found the engine busy (transient
   * faults), each with the same seed and twice the time limit, before the entry fails. Each is
   * recorded with its reason in the entry's retries.
   */
  stepRetries: z.number().int().min(0).max(10).default(3),
  /** Extra paragraphs that may be added to a short section, per section. */
  expansionAttempts: z.number().int().min(0).max(20).default(6),
  /** Rounds of targeted regeneration after the automatic fixes. */
  correctionRounds: z.number().int().min(0).max(10).default(2),
  /** A section below this share of its word target gets expansion passes. */
  sectionMinShare: fraction.default(0.9),
  qualityThreshold: fraction.default(0.85),
  /**
   * No dimension may score below this, whatever the combined score: an entry that cites almost
   * nothing must not pass on the strength of its length and style.
   */
  dimensionFloor: fraction.default(0.5),
  /** Weights of the quality dimensions in the combined score. */
  weights: z
    .strictObject({ length: fraction, style: fraction, structure: fraction, citations: fraction, doctrine: fraction, uniqueness: fraction })
    .default({ length: 0.2, style: 0.15, structure: 0.15, citations: 0.2, doctrine: 0.2, uniqueness: 0.1 }),
  temperature: z.number().min(0).max(2).default(0.8),
  blueprintTemperature: z.number().min(0).max(2).default(0.6),
  /** Passages from the knowledge base given to each paragraph prompt. */
  retrievalPassages: z.number().int().min(0).max(20).default(3),
  /**
   * How prompts are put to the model: "auto" uses chat messages through the model's chat template
   * when its GGUF file has one (instruct models) and a document to continue otherwise (base models).
   */
  promptStyle: z.enum(["auto", ...promptStyles], { error: 'expected "auto", "chat" or "completion"' }).default("auto"),
});

export type PipelineConfig = z.output<typeof pipelineConfigSchema>;
export type PipelineConfigInput = z.input<typeof pipelineConfigSchema>;

export const defaultPipelineConfig = (): PipelineConfig => pipelineConfigSchema.parse({});
