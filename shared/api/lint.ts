// The body of POST /v1/lint: any Markdown, linted by the light validators as the edge runs them.
import { z } from "zod";
import { Tier } from "./entry.ts";

/** A tier-S entry is about 70 KB; leave room for longer texts. */
export const maxLintBytes = 512 * 1024;

export const LintRequest = z
  .object({
    markdown: z.string().min(1, "markdown must not be empty").max(maxLintBytes),
    tier: Tier.optional(),
  })
  .strict();
export type LintRequest = z.infer<typeof LintRequest>;
