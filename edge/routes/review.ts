// The review API (issue 12): a reviewer's decisions on an entry, its revisions, the diff of two,
// and the audit log. Everything goes through edge/review/store.ts, which the portal calls too.
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { AuditQuery, DiffQuery, RevisionQuery, revisionNumber } from "../../shared/api/review.ts";
import { Decision } from "../../shared/review/decisions.ts";
import { requireScope, type AuthedKey } from "../auth.ts";
import { publicBase, runInBackground, type EdgeEnv } from "../context.ts";
import { statusView } from "../entries/present.ts";
import { ApiError, errorBody, shownId, validationHook } from "../errors.ts";
import { auditJson, revisionJson, revisionSummaryJson } from "../review/present.ts";
import { auditAll, auditFor, currentRevision, decide, diffRevisions, getRevision, listRevisions } from "../review/store.ts";
import { negotiate } from "./entries.ts";

const entryIdPattern = /^ent_[0-9a-z]{26}$/;
const notFound = (id: string) => new ApiError(404, "entry_not_found", `No entry ${shownId(id)} for this API key`);

/** Reading an entry's review material takes `read` or `review` (an admin key has both). */
function requireReader(key: AuthedKey): void {
  if (!key.scopes.some((s) => s === "read" || s === "review" || s === "admin")) {
    throw new ApiError(403, "forbidden", 'This API key lacks the "read" or "review" scope');
  }
}

const entryId = (id: string) => {
  if (!entryIdPattern.test(id)) throw notFound(id);
  return id;
};


export const reviewRoutes = new Hono<EdgeEnv>()
  .post("/:id/decisions", zValidator("json", Decision, validationHook), async (c) => {
    requireScope(c.var.apiKey, "review");
    const id = entryId(c.req.param("id"));
    const outcome = await decide(c.var.deps, c.var.apiKey, id, c.req.valid("json"), { background: (work) => runInBackground(c, work) });
    if (outcome.ok) return c.json({ entry: statusView(outcome.entry, publicBase(c)), revision: outcome.revision });
    switch (outcome.code) {
      case "entry_not_found":
        throw notFound(id);
      case "invalid_request":
        throw new ApiError(422, "invalid_request", `Invalid ${outcome.fields.map((f) => f.field).join(", ")}`, outcome.fields);
      case "stale_revision":
      case "not_reviewable": {
        const message =
          outcome.code === "stale_revision"
            ? `Entry ${id} is at revision ${outcome.current.revision}: the decision was made on another revision; read the current one and decide again`
            : `Entry ${id} is ${outcome.current.status}: only a succeeded or needs_review entry can be decided on`;
        return c.json({ ...errorBody(outcome.code, message), current: outcome.current }, 409);
      }
    }
  })
  .get("/:id/revisions", async (c) => {
    requireReader(c.var.apiKey);
    const id = entryId(c.req.param("id"));
    const revisions = await listRevisions(c.var.deps.db, id, c.var.apiKey.id);
    if (!revisions) throw notFound(id);
    return c.json({ data: revisions.map(revisionSummaryJson), current: revisions.at(-1)?.number ?? null });
  })
  .get("/:id/revisions/:number", zValidator("query", RevisionQuery, validationHook), async (c) => {
    requireReader(c.var.apiKey);
    const id = entryId(c.req.param("id"));
    const raw = c.req.param("number");
    const parsed = raw === "current" ? ({ success: true, data: "current" } as const) : revisionNumber.safeParse(raw);
    if (!parsed.success) throw new ApiError(422, "invalid_request", "Invalid revision", [{ field: "number", message: "a revision number (1, 2, ...) or current" }]);
    const revision = await getRevision(c.var.deps.db, id, c.var.apiKey.id, parsed.data);
    if (!revision) {
      if ((await currentRevision(c.var.deps.db, id, c.var.apiKey.id)) === undefined) throw notFound(id);
      throw new ApiError(404, "revision_not_found", `Entry ${id} has no revision ${shownId(raw)}`);
    }
    const format = c.req.valid("query").format ?? negotiate(c.req.header("accept"));
    c.header("vary", "accept");
    if (format === "json") return c.json(revisionJson(revision));
    return c.body(revision.markdown, 200, { "content-type": "text/markdown; charset=utf-8" });
  })
  .get("/:id/diff", zValidator("query", DiffQuery, validationHook), async (c) => {
    requireReader(c.var.apiKey);
    const id = entryId(c.req.param("id"));
    const current = await currentRevision(c.var.deps.db, id, c.var.apiKey.id);
    if (current === undefined) throw notFound(id);
    const query = c.req.valid("query");
    const to = query.to ?? current;
    const from = query.from ?? to - 1;
    if (from < 1) throw new ApiError(422, "invalid_request", "Invalid from", [{ field: "from", message: `entry ${id} has ${current} revision(s): name two to compare` }]);
    const diff = await diffRevisions(c.var.deps.db, id, c.var.apiKey.id, from, to);
    if (!diff) throw new ApiError(404, "revision_not_found", `Entry ${id} has revisions 1 to ${current}`);
    return c.json({
      from: diff.from,
      to: diff.to,
      counts: { sections_changed: diff.counts.sectionsChanged, words_added: diff.counts.wordsAdded, words_removed: diff.counts.wordsRemoved },
      sections: diff.sections,
    });
  })
  .get("/:id/audit", async (c) => {
    requireReader(c.var.apiKey);
    const id = entryId(c.req.param("id"));
    const rows = await auditFor(c.var.deps.db, id, c.var.apiKey.id);
    if (!rows) throw notFound(id);
    return c.json({ data: rows.map(auditJson) });
  });

/** The whole audit log: admins only. Read-only: the log has no route that changes it. */
export const auditRoutes = new Hono<EdgeEnv>().get("/", zValidator("query", AuditQuery, validationHook), async (c) => {
  requireScope(c.var.apiKey, "admin");
  const query = c.req.valid("query");
  const page = await auditAll(c.var.deps.db, { limit: query.limit, cursor: query.cursor, entryId: query.entry_id });
  if (!page) throw new ApiError(422, "invalid_request", "Invalid cursor", [{ field: "cursor", message: "not a cursor returned by this API" }]);
  return c.json({ data: page.rows.map(auditJson), next_cursor: page.nextCursor });
});
