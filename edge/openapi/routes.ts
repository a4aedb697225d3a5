// Every public route of the edge, declared once for the OpenAPI document (document.ts) and the
// contract tests: method, path, the scope it needs, the zod schemas its handler validates with
// (imported from shared/api, the same objects the routes use) and the schemas of its answers
// (shared/api/responses.ts). test/openapi/ checks this list against the routes the app serves.
import type { z } from "zod";
import { ContentQuery, CreateEntryRequest, ListEntriesQuery } from "../../shared/api/entry.ts";
import { LintRequest } from "../../shared/api/lint.ts";
import * as R from "../../shared/api/responses.ts";
import { AuditQuery, DiffQuery, RevisionQuery } from "../../shared/api/review.ts";
import { CreateWebhookRequest, ListDeliveriesQuery, RotateSecretRequest } from "../../shared/api/webhooks.ts";
import { Decision } from "../../shared/review/decisions.ts";
import type { Scope } from "../auth.ts";

export type HttpMethod = "get" | "post" | "delete";

/** An answer: a JSON schema, Markdown text, or no body (204, 304). */
export type ApiResponse = { description: string; json?: z.ZodType; markdown?: true; headers?: Record<string, string> };

export type ApiRoute = {
  method: HttpMethod;
  /** OpenAPI style: `/v1/entries/{id}`. */
  path: string;
  operationId: string;
  tag: "Entries" | "Review" | "Webhooks" | "Nodes" | "Lint" | "Health" | "Docs";
  summary: string;
  description?: string;
  /** The scopes any one of which lets a key call the route (an admin key may call everything); none: no key needed. */
  scopes?: readonly Scope[];
  pathParams?: Record<string, { description: string; pattern?: string }>;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; optional?: boolean };
  headers?: Record<string, { description: string; pattern?: string }>;
  /** The answers a caller can meet besides the common ones (401, 403, 429) that keyed routes all add. */
  responses: Record<number, ApiResponse>;
};

const entryIdParam = { id: { description: "The entry's id", pattern: "^ent_[0-9a-z]{26}$" } };
const endpointIdParam = { id: { description: "The webhook endpoint's id", pattern: "^whe_[0-9a-z]{16}$" } };
const deliveryIdParam = { id: { description: "The delivery's id", pattern: "^whd_[0-9a-z]{26}$" } };

const error = (description: string): ApiResponse => ({ description, json: R.ErrorResponse });
const invalid = error("Invalid input: `error.fields` names each invalid field");
const entryNotFound = error("No such entry for this API key (`entry_not_found`)");
const statusHeaders = { etag: "The status's version: send it back as If-None-Match to get 304 while nothing changed" };

export const apiRoutes: readonly ApiRoute[] = [
  // Entries
  {
    method: "post",
    path: "/v1/entries",
    operationId: "createEntry",
    tag: "Entries",
    summary: "Submit an entry",
    description:
      "Queues an entry for writing and answers at once (202). Poll `urls.get` (with If-None-Match) or subscribe to webhooks to follow it. " +
      "With an Idempotency-Key header, a repeated request with the same body answers the first request's entry (header `idempotent-replayed: true`).",
    scopes: ["submit"],
    body: { schema: CreateEntryRequest },
    headers: { "Idempotency-Key": { description: "Makes retrying the request safe: 1 to 255 visible ASCII characters", pattern: "^[\\x21-\\x7e]{1,255}$" } },
    responses: {
      202: { description: "Queued", json: R.EntryAccepted, headers: { location: "The entry's status URL" } },
      409: error("The Idempotency-Key was used before with another body (`idempotency_key_reused`)"),
      413: error("Body larger than 64 KiB"),
      422: invalid,
    },
  },
  {
    method: "get",
    path: "/v1/entries",
    operationId: "listEntries",
    tag: "Entries",
    summary: "List entries",
    description: "The calling key's entries, newest first, in pages: items under `data`, and `next_cursor` to pass as `?cursor=` for the next page (null on the last).",
    scopes: ["read"],
    query: ListEntriesQuery,
    responses: { 200: { description: "A page of entries", json: R.EntryList }, 422: invalid },
  },
  {
    method: "get",
    path: "/v1/entries/{id}",
    operationId: "getEntry",
    tag: "Entries",
    summary: "An entry's status",
    description:
      "Status, progress, words, ETA and timestamps (`created_at`, `updated_at`). Send the last ETag as If-None-Match: 304 while nothing changed. " +
      "`step` says in plain words what is happening; a failed entry has `error` and can be retried with POST /v1/entries/{id}/retry.",
    scopes: ["read"],
    pathParams: entryIdParam,
    headers: { "If-None-Match": { description: "The ETag of an earlier answer" } },
    responses: {
      200: { description: "The entry's status", json: R.EntryStatusView, headers: statusHeaders },
      304: { description: "Not changed since the ETag sent", headers: statusHeaders },
      404: entryNotFound,
    },
  },
  {
    method: "get",
    path: "/v1/entries/{id}/content",
    operationId: "getEntryContent",
    tag: "Entries",
    summary: "A finished entry's text",
    description: "Markdown by default; JSON (title, sections, metadata, `created_at`, `finished_at`) with `?format=json` or `Accept: application/json`.",
    scopes: ["read"],
    pathParams: entryIdParam,
    query: ContentQuery,
    responses: {
      200: { description: "The entry's text", json: R.EntryContent, markdown: true },
      404: entryNotFound,
      406: error("The Accept header names neither text/markdown nor application/json"),
      409: error("The entry has no text yet (`entry_not_ready`)"),
      422: invalid,
    },
  },
  {
    method: "post",
    path: "/v1/entries/{id}/cancel",
    operationId: "cancelEntry",
    tag: "Entries",
    summary: "Cancel an entry",
    description: "Stops an unfinished entry. Answers 200 with the entry's status (now `canceled`); canceling a canceled entry answers the same.",
    scopes: ["submit"],
    pathParams: entryIdParam,
    responses: {
      200: { description: "The entry's status after canceling", json: R.EntryStatusView },
      404: entryNotFound,
      409: error("The entry already ended otherwise (`entry_finished`)"),
    },
  },
  {
    method: "post",
    path: "/v1/entries/{id}/retry",
    operationId: "retryEntry",
    tag: "Entries",
    summary: "Retry a failed entry",
    description: "Queues a failed entry again (202, status `queued`); a GPU node that kept its checkpoints resumes where it stopped.",
    scopes: ["submit"],
    pathParams: entryIdParam,
    responses: {
      202: { description: "Queued again", json: R.EntryStatusView },
      404: entryNotFound,
      409: error("Only a failed entry can be retried (`entry_not_failed`)"),
    },
  },
  // Review
  {
    method: "post",
    path: "/v1/entries/{id}/decisions",
    operationId: "decideEntry",
    tag: "Review",
    summary: "Decide on a finished entry",
    description: "Approve, reject, edit paragraphs or ask for a revision of chosen sections. Every decision names the revision it was made on.",
    scopes: ["review"],
    pathParams: entryIdParam,
    body: { schema: Decision },
    responses: {
      200: { description: "Recorded", json: R.DecisionResult },
      404: entryNotFound,
      409: { description: "The revision is not current (`stale_revision`) or the entry is not finished (`not_reviewable`)", json: R.DecisionConflict },
      413: error("Body larger than 64 KiB"),
      422: invalid,
    },
  },
  {
    method: "get",
    path: "/v1/entries/{id}/revisions",
    operationId: "listRevisions",
    tag: "Review",
    summary: "An entry's revisions",
    scopes: ["read", "review"],
    pathParams: entryIdParam,
    responses: { 200: { description: "Every revision, oldest first", json: R.RevisionList }, 404: entryNotFound },
  },
  {
    method: "get",
    path: "/v1/entries/{id}/revisions/{number}",
    operationId: "getRevision",
    tag: "Review",
    summary: "One revision's text",
    description: "Markdown by default; JSON with `?format=json` or `Accept: application/json`.",
    scopes: ["read", "review"],
    pathParams: { ...entryIdParam, number: { description: "A revision number (1, 2, ...) or `current`", pattern: "^([1-9][0-9]{0,6}|current)$" } },
    query: RevisionQuery,
    responses: {
      200: { description: "The revision", json: R.RevisionDetail, markdown: true },
      404: error("No such entry (`entry_not_found`) or revision (`revision_not_found`)"),
      406: error("The Accept header names neither text/markdown nor application/json"),
      422: invalid,
    },
  },
  {
    method: "get",
    path: "/v1/entries/{id}/diff",
    operationId: "diffRevisions",
    tag: "Review",
    summary: "The difference between two revisions",
    description: "Word by word, per section. `to` defaults to the current revision, `from` to the one before it.",
    scopes: ["read", "review"],
    pathParams: entryIdParam,
    query: DiffQuery,
    responses: { 200: { description: "The diff", json: R.RevisionDiff }, 404: error("No such entry or revision"), 422: invalid },
  },
  {
    method: "get",
    path: "/v1/entries/{id}/audit",
    operationId: "entryAudit",
    tag: "Review",
    summary: "An entry's audit log",
    scopes: ["read", "review"],
    pathParams: entryIdParam,
    responses: { 200: { description: "The entry's audit records", json: R.EntryAuditList }, 404: entryNotFound },
  },
  {
    method: "get",
    path: "/v1/audit",
    operationId: "listAudit",
    tag: "Review",
    summary: "The whole audit log",
    scopes: ["admin"],
    query: AuditQuery,
    responses: { 200: { description: "A page of audit records", json: R.AuditList }, 422: invalid },
  },
  // Webhooks
  {
    method: "post",
    path: "/v1/webhooks",
    operationId: "createWebhook",
    tag: "Webhooks",
    summary: "Add a webhook endpoint",
    description: "The answer carries the endpoint's signing secret (`secret`), shown only here and on rotation.",
    scopes: ["admin"],
    body: { schema: CreateWebhookRequest },
    responses: {
      201: { description: "Created", json: R.WebhookEndpoint },
      409: error("The key has its maximum of endpoints (`too_many_endpoints`)"),
      413: error("Body larger than 64 KiB"),
      422: invalid,
    },
  },
  {
    method: "get",
    path: "/v1/webhooks",
    operationId: "listWebhooks",
    tag: "Webhooks",
    summary: "List webhook endpoints",
    scopes: ["read"],
    responses: { 200: { description: "The key's endpoints", json: R.WebhookEndpointList } },
  },
  {
    method: "get",
    path: "/v1/webhooks/secret",
    operationId: "getSigningSecret",
    tag: "Webhooks",
    summary: "The secret signing deliveries to entries' own webhook_url",
    scopes: ["admin"],
    responses: { 200: { description: "The secret", json: R.SigningSecret } },
  },
  {
    method: "post",
    path: "/v1/webhooks/secret/rotate",
    operationId: "rotateSigningSecret",
    tag: "Webhooks",
    summary: "Rotate the webhook_url signing secret",
    description: "The old secret keeps signing beside the new one for `overlap_seconds` (default one day). The body is optional.",
    scopes: ["admin"],
    body: { schema: RotateSecretRequest, optional: true },
    responses: { 200: { description: "The new secret", json: R.SigningSecret }, 422: invalid },
  },
  {
    method: "get",
    path: "/v1/webhooks/deliveries",
    operationId: "listDeliveries",
    tag: "Webhooks",
    summary: "List webhook deliveries",
    description: "Newest first, in pages (`data`, `next_cursor`).",
    scopes: ["read"],
    query: ListDeliveriesQuery,
    responses: { 200: { description: "A page of deliveries", json: R.WebhookDeliveryList }, 422: invalid },
  },
  {
    method: "get",
    path: "/v1/webhooks/deliveries/{id}",
    operationId: "getDelivery",
    tag: "Webhooks",
    summary: "One delivery with its attempts",
    scopes: ["read"],
    pathParams: deliveryIdParam,
    responses: { 200: { description: "The delivery", json: R.WebhookDeliveryDetail }, 404: error("No such delivery (`delivery_not_found`)") },
  },
  {
    method: "post",
    path: "/v1/webhooks/deliveries/{id}/replay",
    operationId: "replayDelivery",
    tag: "Webhooks",
    summary: "Send a delivery again",
    description: "Queues a new delivery of the same payload (its `replay_of` names the original).",
    scopes: ["admin"],
    pathParams: deliveryIdParam,
    responses: {
      202: { description: "The new delivery", json: R.WebhookDelivery },
      404: error("No such delivery (`delivery_not_found`)"),
      409: error("The delivery's endpoint was deleted or is disabled"),
    },
  },
  {
    method: "get",
    path: "/v1/webhooks/{id}",
    operationId: "getWebhook",
    tag: "Webhooks",
    summary: "One webhook endpoint",
    scopes: ["read"],
    pathParams: endpointIdParam,
    responses: { 200: { description: "The endpoint", json: R.WebhookEndpoint }, 404: error("No such endpoint (`webhook_not_found`)") },
  },
  {
    method: "delete",
    path: "/v1/webhooks/{id}",
    operationId: "deleteWebhook",
    tag: "Webhooks",
    summary: "Delete a webhook endpoint",
    scopes: ["admin"],
    pathParams: endpointIdParam,
    responses: { 204: { description: "Deleted" }, 404: error("No such endpoint (`webhook_not_found`)") },
  },
  {
    method: "post",
    path: "/v1/webhooks/{id}/rotate",
    operationId: "rotateWebhookSecret",
    tag: "Webhooks",
    summary: "Rotate an endpoint's signing secret",
    description: "The answer carries the new `secret`; the old one keeps signing beside it for `overlap_seconds`. The body is optional.",
    scopes: ["admin"],
    pathParams: endpointIdParam,
    body: { schema: RotateSecretRequest, optional: true },
    responses: { 200: { description: "The endpoint with its new secret", json: R.WebhookEndpoint }, 404: error("No such endpoint"), 422: invalid },
  },
  {
    method: "post",
    path: "/v1/webhooks/{id}/enable",
    operationId: "enableWebhook",
    tag: "Webhooks",
    summary: "Enable a disabled endpoint",
    scopes: ["admin"],
    pathParams: endpointIdParam,
    responses: { 200: { description: "The endpoint, enabled", json: R.WebhookEndpoint }, 404: error("No such endpoint") },
  },
  // Operators
  {
    method: "get",
    path: "/v1/nodes",
    operationId: "listNodes",
    tag: "Nodes",
    summary: "The GPU nodes",
    description: "Health, load, circuit breaker and last heartbeat of every GPU node the edge knows.",
    scopes: ["admin"],
    responses: { 200: { description: "Every node", json: R.GpuNodeList } },
  },
  {
    method: "get",
    path: "/v1/ops",
    operationId: "operations",
    tag: "Nodes",
    summary: "The operations dashboard's figures",
    description: "Entries by status now and per hour, time in each step, node speed and health, queue depth, circuit breakers, validation failures by rule, webhook deliveries by outcome: what /portal/ops draws.",
    scopes: ["admin"],
    responses: { 200: { description: "The figures", json: R.OpsSnapshot } },
  },
  {
    method: "post",
    path: "/v1/lint",
    operationId: "lintMarkdown",
    tag: "Lint",
    summary: "Lint Markdown",
    description: "Runs the light validators on any Markdown, exactly as the edge runs them on finished entries (the same code as `opus lint`).",
    scopes: ["read"],
    body: { schema: LintRequest },
    responses: { 200: { description: "The report", json: R.LintReport }, 413: error("Body larger than 516 KiB"), 422: invalid },
  },
  // No key needed
  {
    method: "get",
    path: "/health/live",
    operationId: "liveness",
    tag: "Health",
    summary: "Liveness",
    responses: { 200: { description: "The process answers", json: R.Liveness } },
  },
  {
    method: "get",
    path: "/health",
    operationId: "readiness",
    tag: "Health",
    summary: "Readiness",
    responses: { 200: { description: "The database answers", json: R.Readiness }, 503: { description: "The database does not answer", json: R.NotReady } },
  },
  {
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    tag: "Docs",
    summary: "This document",
    description: "OpenAPI 3.1. Generate a client from it (e.g. `npx openapi-typescript <edge>/openapi.json`); read it at /docs.",
    responses: { 200: { description: "The OpenAPI document" } },
  },
];

/**
 * Routes the app serves that are not part of the public API, by prefix: GPU nodes' signed
 * protocol (shared/api/node-protocol.ts), the review portal's HTML pages, and the docs page itself.
 */
export const undocumentedPrefixes = ["/v1/node/", "/portal", "/docs"] as const;
