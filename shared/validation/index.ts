// Public entry of the validation suite. Worker-safe: nothing below imports Node modules, and data
// files are JSON modules, so the same code runs in the edge Worker, on the GPU node and in the CLI.
import type { FixResult, LintOptions, LintReport, OpusDocument, RunPlace, Tier, ValidationConfig, Validator } from "./types.ts";
import { ValidationPipeline } from "./pipeline.ts";
import { BUILTIN_VALIDATORS } from "./rules/index.ts";
import { checkConfig } from "./config.ts";
import { fixText } from "./fix.ts";
import { tiers } from "../api/tier.ts";

export type * from "./types.ts";
export { SEVERITIES, DIMENSIONS } from "./types.ts";
export { ValidationPipeline } from "./pipeline.ts";
export type { RunOptions } from "./pipeline.ts";
export { checkConfig, effectiveRule } from "./config.ts";
export { applyEdits } from "./fix.ts";
export { parseDocument, countWords } from "./document/parse.ts";
export { scoreReport, SEVERITY_WEIGHT, DIMENSION_WEIGHT } from "./score.ts";
export { BUILTIN_VALIDATORS } from "./rules/index.ts";
export { DEFAULT_TARGETS } from "./rules/structure/word-count.ts";
export { paragraphIndent as INDENT } from "../text/house-style.ts";

const TIERS: readonly Tier[] = tiers;
const PLACES: readonly RunPlace[] = ["edge", "gpu"];

function checkOptions(opts: LintOptions | undefined): { tier: Tier | undefined; place: RunPlace; config: ValidationConfig; extra: readonly Validator[] } {
  const tier = opts?.tier;
  if (tier !== undefined && !TIERS.includes(tier)) throw new Error(`tier must be one of ${TIERS.join(", ")} (got ${JSON.stringify(tier)})`);
  const place = opts?.place ?? "edge";
  if (!PLACES.includes(place)) throw new Error(`place must be "edge" or "gpu" (got ${JSON.stringify(place)})`);
  return { tier, place, config: checkConfig(opts?.config), extra: opts?.extraValidators ?? [] };
}

/** A pipeline holding the built-in validators; register plugins on it, or pass extraValidators. */
export function createPipeline(config: ValidationConfig = {}): ValidationPipeline {
  return new ValidationPipeline(BUILTIN_VALIDATORS, checkConfig(config));
}

const shared = new ValidationPipeline(BUILTIN_VALIDATORS);

/** Lint one Markdown entry: issues, pass/fail, overall and per-dimension scores, timings. */
export async function lintMarkdown(markdown: string | OpusDocument, opts: LintOptions = {}): Promise<LintReport> {
  if (typeof markdown !== "string" && (typeof markdown !== "object" || markdown === null || typeof markdown.text !== "string")) {
    throw new Error("lintMarkdown: markdown must be a string");
  }
  const { tier, place, config, extra } = checkOptions(opts);
  return shared.run(markdown, { tier, place, config }, extra);
}

/** Synchronous lint for callers that cannot await; asynchronous validators are skipped. */
export function lintMarkdownSync(markdown: string, opts: LintOptions = {}): LintReport & { skipped: string[] } {
  if (typeof markdown !== "string") throw new Error("lintMarkdownSync: markdown must be a string");
  const { tier, place, config, extra } = checkOptions(opts);
  return shared.runSync(markdown, { tier, place, config }, extra);
}

/** Apply every safe fix until a fixed point (at most `maxRounds` rounds, 5 by default). */
export function fixMarkdown(markdown: string, opts: LintOptions & { maxRounds?: number } = {}): FixResult {
  if (typeof markdown !== "string") throw new Error("fixMarkdown: markdown must be a string");
  const { tier, place, config, extra } = checkOptions(opts);
  const run = { tier, place, config, ...(opts.maxRounds !== undefined ? { maxRounds: opts.maxRounds } : {}) };
  return fixText(shared, markdown, run, extra);
}
