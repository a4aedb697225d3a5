// What the edge answers, as zod schemas: the source of the OpenAPI document's response schemas
// (edge/openapi/) and what the contract tests check a running edge's answers against. Strict
// objects: a field the edge sends but this file does not name breaks the contract (and fails the
// tests) instead of going out undocumented.
import { z } from "zod";
import { auditActions } from "../review/decisions.ts";
import { EntryStatus, Tier } from "./entry.ts";
import { deliveryStatuses, WebhookEventType, WebhookPayload } from "./webhooks.ts";

const isoTime = z.iso.datetime({ offset: true }).describe("ISO 8601 time in UTC, e.g. 2026-05-01T12:00:00.000Z");
const count = z.number().int().min(0);
const entryId = z.string().regex(/^ent_[0-9a-z]{26}$/).describe("Entry id (ent_ + 26 characters)");
/** The cursor of the next page; null on the last page. Pass it back as `?cursor=`. */
const nextCursor = z.string().nullable().describe("Pass as `?cursor=` to get the next page; null on the last page.");

/** The one error shape of every 4xx/5xx (shared/api/errors.ts). */
export const ErrorResponse = z
  .strictObject({
    error: z.strictObject({
      code: z.string().describe('Machine-readable reason, e.g. "invalid_request", "entry_not_found", "forbidden"'),
      message: z.string().describe("What went wrong and, where there is one, the fix"),
      fields: z
        .array(z.strictObject({ field: z.string().describe("The body field, query parameter or header (a.b for nested fields)"), message: z.string() }))
        .optional()
        .describe("On 422: each invalid field"),
    }),
  })
  .describe("The error shape of every failed request");

export const EntryUrls = z.strictObject({ get: z.url(), content: z.url(), cancel: z.url() });

export const EntryAccepted = z
  .strictObject({ id: entryId, status: z.literal("queued"), urls: EntryUrls })
  .describe("The entry was queued (or, with a repeated Idempotency-Key, the first request's entry)");

/** What names an entry and where it stands, first in both its status and its content. */
const entryIdentity = { id: entryId, subject: z.string(), tier: Tier, category: z.string(), status: EntryStatus };

export const EntryStatusView = z
  .strictObject({
    ...entryIdentity,
    step: z.string().describe('What is happening now, in plain words ("waiting for a GPU node", "writing 6 sections")'),
    progress: z.number().min(0).max(1).describe("0 to 1, never decreasing"),
    words: count,
    sections: z.strictObject({ done: count, total: count }),
    tokens: count.describe("Tokens generated for the entry so far"),
    eta_seconds: z.number().int().min(0).nullable().describe("Seconds left at the current writing rate; null when unknown"),
    seed: z.number().int().nullable(),
    error: z
      .strictObject({ code: z.string(), message: z.string() })
      .nullable()
      .describe("Why a failed entry failed; null otherwise. Retry a failed entry with POST /v1/entries/{id}/retry"),
    created_at: isoTime.describe("When the entry was submitted"),
    updated_at: isoTime.describe("When anything about the entry last changed"),
    transitions: z.array(z.strictObject({ status: EntryStatus, at: isoTime })).describe("Every status the entry passed through, oldest first"),
    urls: EntryUrls,
  })
  .describe("An entry's status: what polling, cancel and retry answer");

export const EntryList = z.strictObject({ data: z.array(EntryStatusView), next_cursor: nextCursor }).describe("A page of entries, newest first");

export const EntrySection = z.strictObject({ title: z.string(), markdown: z.string(), words: count });

export const EntryContent = z
  .strictObject({
    ...entryIdentity,
    title: z.string(),
    words: count,
    sections: z.array(EntrySection),
    metadata: z.record(z.string(), z.unknown()).describe("How the entry was made: seed, model, prompt version, validation report"),
    markdown: z.string(),
    created_at: isoTime.describe("When the entry was submitted"),
    finished_at: isoTime.describe("When its text was finished"),
  })
  .describe("A finished entry's text and metadata");

export const WebhookEndpoint = z
  .strictObject({
    id: z.string().regex(/^whe_[0-9a-z]{16}$/),
    url: z.url(),
    events: z.array(WebhookEventType),
    description: z.string().nullable(),
    secret: z.string().optional().describe("The signing secret (whsec_...): only in the answers to create and rotate"),
    previous_secret_expires_at: isoTime.nullable().describe("Until when the secret before a rotation still signs beside the new one"),
    disabled_at: isoTime.nullable().describe("Set when deliveries kept failing and the endpoint was disabled"),
    disabled_reason: z.string().nullable(),
    created_at: isoTime,
  })
  .describe("A webhook endpoint of the calling API key");

export const WebhookEndpointList = z
  .strictObject({ data: z.array(WebhookEndpoint), next_cursor: nextCursor.describe("Always null: an API key has at most 10 endpoints") })
  .describe("The calling key's webhook endpoints, oldest first");

export const SigningSecret = z
  .strictObject({
    secret: z.string(),
    previous_secret: z.string().nullable(),
    previous_secret_expires_at: isoTime.nullable(),
  })
  .describe("The secret that signs deliveries to entries' own webhook_url");

export const WebhookDelivery = z
  .strictObject({
    id: z.string().regex(/^whd_[0-9a-z]{26}$/),
    event_id: z.string(),
    event_type: WebhookEventType,
    entry_id: entryId,
    endpoint_id: z.string().nullable().describe("null for a delivery to the entry's own webhook_url"),
    url: z.url(),
    status: z.enum(deliveryStatuses),
    attempts: count,
    next_attempt_at: isoTime.nullable(),
    last_status: z.number().int().nullable().describe("HTTP status of the last attempt"),
    last_latency_ms: z.number().int().nullable(),
    last_error: z.string().nullable(),
    replay_of: z.string().nullable(),
    created_at: isoTime,
    delivered_at: isoTime.nullable(),
    payload: WebhookPayload,
  })
  .describe("One event's delivery to one URL");

export const WebhookAttempt = z.strictObject({
  attempt: z.number().int().min(1),
  at: isoTime,
  status_code: z.number().int().nullable(),
  latency_ms: z.number().int().nullable(),
  error: z.string().nullable(),
  next_attempt_at: isoTime.nullable(),
});

export const WebhookDeliveryDetail = WebhookDelivery.extend({ attempt_log: z.array(WebhookAttempt) }).describe("A delivery with every attempt");

export const WebhookDeliveryList = z.strictObject({ data: z.array(WebhookDelivery), next_cursor: nextCursor }).describe("A page of deliveries, newest first");

export const GpuNode = z
  .strictObject({
    id: z.string(),
    mode: z.enum(["static", "push", "pull"]),
    url: z.string().nullable(),
    healthy: z.boolean(),
    capacity: count,
    active: count,
    queued: count,
    assigned: count.optional().describe("Unfinished entries the edge has assigned to the node"),
    last_heartbeat_at: isoTime.nullable(),
    breaker: z.strictObject({ state: z.enum(["closed", "open", "half_open"]), failures: count, last_error: z.string().nullable() }),
    info: z.record(z.string(), z.unknown()).describe("What the node reports about itself (model, version)"),
  })
  .describe("A GPU node as the edge knows it");

export const GpuNodeList = z.strictObject({ data: z.array(GpuNode), next_cursor: nextCursor.describe("Always null: every node is on one page") });

export const LintIssue = z.looseObject({
  rule: z.string(),
  severity: z.string(),
  dimension: z.string(),
  message: z.string(),
  line: z.number().int(),
  column: z.number().int(),
});

export const LintReport = z
  .strictObject({
    passed: z.boolean().describe("No issue of severity error or critical"),
    score: z.number().min(0).max(1),
    dimensions: z.record(z.string(), z.number()),
    issues: z.array(LintIssue),
    counts: z.record(z.string(), count),
    tier: Tier.nullable(),
    place: z.string(),
    wordCount: count,
    skipped: z.array(z.string()).optional(),
    rules: z.record(z.string(), z.strictObject({ count, severity: z.string(), dimension: z.string() })),
  })
  .describe("The light validators' report on the Markdown sent");

export const Liveness = z.strictObject({ status: z.literal("ok") });
export const Readiness = z.strictObject({
  status: z.literal("ok"),
  db: z.strictObject({ ok: z.literal(true), ms: z.number().min(0) }),
  gpu_node: z.enum(["configured", "not configured"]),
});
export const NotReady = z.strictObject({ status: z.literal("unavailable"), db: z.literal("unreachable") });

// The review flow (issue 12).
const ValidationSummary = z.strictObject({
  passed: z.boolean(),
  score: z.number(),
  dimensions: z.record(z.string(), z.number()),
  counts: z.record(z.string(), z.number()),
  demoted_reason: z.string().optional().describe("Why the edge sent an entry the node passed to needs_review"),
});

export const RevisionSummary = z
  .strictObject({
    number: z.number().int().min(1),
    kind: z.enum(["pipeline", "edit", "revision"]),
    base: z.number().int().nullable().describe("The revision this one was made from"),
    author: z.strictObject({ key_id: z.string().nullable(), name: z.string() }),
    reason: z.string().nullable(),
    created_at: isoTime,
    title: z.string(),
    words: count,
    sections_changed: z.array(z.number().int().min(0)),
    quality_score: z.number().nullable(),
    validation: ValidationSummary.nullable(),
  })
  .describe("One revision of an entry, without its text");

export const RevisionList = z.strictObject({
  data: z.array(RevisionSummary),
  current: z.number().int().nullable().describe("The current revision's number"),
});

export const RevisionDetail = RevisionSummary.extend({
  sections: z.array(EntrySection),
  markdown: z.string(),
  metadata: z.record(z.string(), z.unknown()),
}).describe("One revision with its text");

export const DecisionResult = z
  .strictObject({ entry: EntryStatusView, revision: z.number().int().min(1).describe("The entry's current revision after the decision") })
  .describe("The decision was recorded");

export const DecisionConflict = z
  .strictObject({
    error: ErrorResponse.shape.error,
    current: z.strictObject({ revision: z.number().int(), status: EntryStatus }).describe("The entry as it stands: decide again on this revision"),
  })
  .describe("stale_revision or not_reviewable");

export const RevisionDiff = z.strictObject({
  from: z.number().int(),
  to: z.number().int(),
  counts: z.strictObject({ sections_changed: count, words_added: count, words_removed: count }),
  sections: z.array(
    z.strictObject({
      index: count,
      title: z.strictObject({ from: z.string().nullable(), to: z.string().nullable() }),
      changed: z.boolean(),
      parts: z.array(z.strictObject({ kind: z.enum(["added", "removed", "same"]), text: z.string() })),
    }),
  ),
});

export const AuditRecord = z.strictObject({
  id: z.number().int().min(1).describe("The record's place in the append-only log"),
  at: isoTime,
  key_id: z.string().nullable(),
  key_name: z.string(),
  action: z.enum(auditActions),
  entry_id: entryId,
  revision: z.number().int().nullable(),
  reason: z.string().nullable(),
  detail: z.unknown().describe("What the action changed (sections, paragraphs)"),
});

export const EntryAuditList = z.strictObject({ data: z.array(AuditRecord) }).describe("An entry's audit records, oldest first");
export const AuditList = z.strictObject({ data: z.array(AuditRecord), next_cursor: nextCursor });

// The operations dashboard's figures (GET /v1/ops), defined beside the dashboard's other types.
export { OpsSnapshot } from "./ops.ts";
