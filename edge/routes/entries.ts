// The public entries API: submit, poll, read, list, cancel, retry.
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { ContentQuery, CreateEntryRequest, ListEntriesQuery } from "../../shared/api/entry.ts";
import { findTransition, isTerminal } from "../../shared/lifecycle/index.ts";
import { requireScope } from "../auth.ts";
import { publicBase, runInBackground, type EdgeContext, type EdgeEnv } from "../context.ts";
import { cancelOnNode, dispatchPending } from "../nodes/dispatch.ts";
import { deliverDue } from "../webhooks/deliver.ts";
import { webhookUrlProblem } from "../webhooks/ssrf.ts";
import { findContent, findEntry, listEntries } from "../entries/reads.ts";
import { cancelEntry, createEntry, retryEntry } from "../entries/store.ts";
import { contentJson, entryUrls, statusEtag, statusView } from "../entries/present.ts";
import { ifNoneMatchHits } from "../etag.ts";
import { ApiError, shownId, validationHook } from "../errors.ts";
import { decodeCursor, encodeCursor, newEntryId, sha256Hex } from "../ids.ts";
import { logEntryEvent, SpanKind, startEdgeSpan } from "../tracing/spans.ts";

const entryIdPattern = /^ent_[0-9a-z]{26}$/;
const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value);
}

const notFound = (id: string) => new ApiError(404, "entry_not_found", `No entry ${shownId(id)} for this API key`);

async function ownedEntry(c: EdgeContext, id: string) {
  if (!entryIdPattern.test(id)) throw notFound(id);
  const row = await findEntry(c.var.deps.db, id, c.var.apiKey.id);
  if (!row) throw notFound(id);
  return row;
}

export const entriesRoutes = new Hono<EdgeEnv>()
  .post("/", zValidator("json", CreateEntryRequest, validationHook), async (c) => {
    requireScope(c.var.apiKey, "submit");
    const body = c.req.valid("json");
    const { db, config } = c.var.deps;
    const urlProblem = body.webhook_url === undefined ? undefined : webhookUrlProblem(body.webhook_url, config.webhooks.allowPrivate);
    if (urlProblem) throw new ApiError(422, "invalid_request", "Invalid webhook_url", [{ field: "webhook_url", message: `webhook_url ${urlProblem}` }]);
    const base = publicBase(c);
    const idemKey = c.req.header("idempotency-key");
    if (idemKey !== undefined && !idempotencyKeyPattern.test(idemKey)) {
      throw new ApiError(422, "invalid_request", "Invalid Idempotency-Key header", [
        { field: "Idempotency-Key", message: "must be 1 to 255 visible ASCII characters" },
      ]);
    }
    const id = newEntryId();
    const requestHash = idemKey ? await sha256Hex(canonicalJson(body)) : "";
    // The request's span (child of the caller's traceparent, if it sent one) is stored with the entry: dispatch and the node continue it.
    const span = startEdgeSpan(c.var.deps.tracer, "POST /v1/entries", c.req.header("traceparent"), { "http.request.method": "POST", "http.route": "/v1/entries", "opus.entry.id": id }, SpanKind.SERVER);
    const result = await createEntry(db, { ...body, id, keyId: c.var.apiKey.id, traceparent: span.traceparent }, idemKey ? { key: idemKey, requestHash } : undefined).finally(() => span.end());
    if (result.created) logEntryEvent("entry submitted", { entry_id: id, trace_id: span.traceId, subject: body.subject, tier: body.tier });
    if (!result.created) {
      if (result.requestHash !== requestHash) {
        throw new ApiError(409, "idempotency_key_reused", "This Idempotency-Key was already used with a different request body");
      }
      c.header("idempotent-replayed", "true");
    } else {
      runInBackground(c, dispatchPending(c.var.deps));
    }
    c.header("location", entryUrls(base, result.id).get);
    return c.json({ id: result.id, status: "queued", urls: entryUrls(base, result.id) }, 202);
  })
  .get("/", zValidator("query", ListEntriesQuery, validationHook), async (c) => {
    requireScope(c.var.apiKey, "read");
    const query = c.req.valid("query");
    const afterId = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && afterId === undefined) {
      throw new ApiError(422, "invalid_request", "Invalid cursor", [{ field: "cursor", message: "not a cursor returned by this API" }]);
    }
    const rows = await listEntries(c.var.deps.db, c.var.apiKey.id, { status: query.status, limit: query.limit, afterId });
    const page = rows.slice(0, query.limit);
    const base = publicBase(c);
    return c.json({
      data: page.map((row) => statusView(row, base)),
      next_cursor: rows.length > query.limit ? encodeCursor(page[page.length - 1]!.id) : null,
    });
  })
  .get("/:id", async (c) => {
    // The hot path of polling: `c.get` reads one variable, where `c.var` copies them all each time.
    const apiKey = c.get("apiKey");
    requireScope(apiKey, "read");
    const id = c.req.param("id");
    if (!entryIdPattern.test(id)) throw notFound(id);
    const { polls, publicUrl } = c.get("deps");
    c.header("cache-control", "private, no-cache");
    // A conditional poll usually finds nothing new: answer it from the version column alone.
    const ifNoneMatch = c.req.header("if-none-match");
    if (ifNoneMatch) {
      const current = await polls.version(id, apiKey.id);
      if (!current) throw notFound(id);
      const etag = statusEtag(current);
      if (ifNoneMatchHits(ifNoneMatch, etag)) return c.body(null, 304, { etag });
    }
    const shown = await polls.statusJson(id, apiKey.id, (row) => JSON.stringify(statusView(row, publicUrl)));
    if (!shown) throw notFound(id);
    return c.body(shown.json, 200, { "content-type": "application/json", etag: statusEtag({ id, version: shown.version }) });
  })
  .get("/:id/content", zValidator("query", ContentQuery, validationHook), async (c) => {
    requireScope(c.var.apiKey, "read");
    const row = await ownedEntry(c, c.req.param("id"));
    const content = await findContent(c.var.deps.db, row.id);
    if (!content) {
      throw new ApiError(409, "entry_not_ready", `Entry ${row.id} has no content yet (status: ${row.status})`);
    }
    const format = c.req.valid("query").format ?? negotiate(c.req.header("accept"));
    c.header("vary", "accept");
    if (format === "json") return c.json(contentJson(row, content));
    return c.body(content.markdown, 200, { "content-type": "text/markdown; charset=utf-8" });
  })
  .post("/:id/cancel", async (c) => {
    requireScope(c.var.apiKey, "submit");
    const row = await ownedEntry(c, c.req.param("id"));
    const { status } = row;
    if (isTerminal(status) && status !== "canceled") {
      throw new ApiError(409, "entry_finished", `Entry ${row.id} already ended with status ${status}`);
    }
    const { db, config } = c.var.deps;
    const { changed, row: after, eventId } = await cancelEntry(db, row, { progressIntervalMs: config.webhooks.progressIntervalMs });
    if (changed) {
      runInBackground(c, cancelOnNode(config, after));
      if (eventId) runInBackground(c, deliverDue(db, config, { eventId, followUpMs: 10_000 }));
    }
    return c.json(statusView(after, publicBase(c)));
  })
  .post("/:id/retry", async (c) => {
    requireScope(c.var.apiKey, "submit");
    const row = await ownedEntry(c, c.req.param("id"));
    const notFailed = (status: string) => new ApiError(409, "entry_not_failed", `Entry ${row.id} is ${status}: only a failed entry can be retried`);
    if (!findTransition(row.status, "queued", "user")) throw notFailed(row.status);
    const result = await retryEntry(c.var.deps.db, row);
    if (!result.retried) throw notFailed(result.row.status);
    runInBackground(c, dispatchPending(c.var.deps));
    return c.json(statusView(result.row, publicBase(c)), 202);
  });

/** Markdown unless the client prefers JSON; a client that accepts neither gets 406. */
export function negotiate(accept: string | undefined): "markdown" | "json" {
  if (!accept) return "markdown";
  const ranked = accept
    .split(",")
    .map((part) => {
      const [type = "", ...params] = part.trim().toLowerCase().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { type: type.trim(), q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { type } of ranked) {
    if (type === "text/markdown" || type === "text/*" || type === "*/*" || type === "text/plain") return "markdown";
    if (type === "application/json" || type === "application/*") return "json";
  }
  throw new ApiError(406, "not_acceptable", "This resource is available as text/markdown or application/json");
}
