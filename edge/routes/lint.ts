// POST /v1/lint: the light validators on any Markdown a client sends, exactly as the edge runs
// them on finished entries (the same code as `opus lint`).
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import { Tier } from "../../shared/api/entry.ts";
import { lintMarkdown } from "../../shared/validation/index.ts";
import { requireScope } from "../auth.ts";
import type { EdgeEnv } from "../context.ts";
import { validationHook } from "../errors.ts";

/** A tier-S entry is about 70 KB; leave room for longer texts. */
export const maxLintBytes = 512 * 1024;

const LintRequest = z
  .object({
    markdown: z.string().min(1, "markdown must not be empty").max(maxLintBytes),
    tier: Tier.optional(),
  })
  .strict();

export const lintRoutes = new Hono<EdgeEnv>().post("/", zValidator("json", LintRequest, validationHook), async (c) => {
  requireScope(c.var.apiKey, "read");
  const { markdown, tier } = c.req.valid("json");
  const report = await lintMarkdown(markdown, { place: "edge", ...(tier ? { tier } : {}) });
  // Timings differ between runtimes (and are zero in workerd): not part of the answer.
  const { timings: _timings, byRule, ...rest } = report;
  return c.json({ ...rest, rules: Object.fromEntries(Object.entries(byRule).map(([id, s]) => [id, { count: s.count, severity: s.severity, dimension: s.dimension }])) });
});
