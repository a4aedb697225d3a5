// POST /v1/lint: the light validators on any Markdown a client sends, exactly as the edge runs
// them on finished entries (the same code as `opus lint`).
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { LintRequest, maxLintBytes } from "../../shared/api/lint.ts";
import { lintMarkdown } from "../../shared/validation/index.ts";
import { requireScope } from "../auth.ts";
import type { EdgeEnv } from "../context.ts";
import { validationHook } from "../errors.ts";

export { maxLintBytes };

export const lintRoutes = new Hono<EdgeEnv>().post("/", zValidator("json", LintRequest, validationHook), async (c) => {
  requireScope(c.var.apiKey, "read");
  const { markdown, tier } = c.req.valid("json");
  const report = await lintMarkdown(markdown, { place: "edge", ...(tier ? { tier } : {}) });
  // Timings differ between runtimes (and are zero in workerd): not part of the answer.
  const { timings: _timings, byRule, ...rest } = report;
  return c.json({ ...rest, rules: Object.fromEntries(Object.entries(byRule).map(([id, s]) => [id, { count: s.count, severity: s.severity, dimension: s.dimension }])) });
});
