// Webhooks as users see them: the event types, the thin payload every delivery carries, and the
// requests that manage endpoints. Deliveries are signed per Standard Webhooks (shared/api/signing.ts).
import { z } from "zod";
import { EntryStatus } from "./entry.ts";

export const webhookEventTypes = [
  "entry.started",
  "entry.progress",
  "entry.succeeded",
  "entry.needs_review",
  "entry.failed",
  "entry.canceled",
  // Review (issue 12): a reviewer's decision, and a revision of chosen sections coming back.
  "entry.approved",
  "entry.rejected",
  "entry.edited",
  "entry.revising",
  "entry.revised",
] as const;
export const WebhookEventType = z.enum(webhookEventTypes);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** The body of every delivery: `{type, timestamp, data}` as the Standard Webhooks spec recommends. */
export const WebhookPayload = z.object({
  type: WebhookEventType,
  /** When the event happened (ISO 8601); the attempt's own time is in the `webhook-timestamp` header. */
  timestamp: z.string(),
  data: z.object({
    id: z.string(),
    status: EntryStatus,
    progress: z.number().min(0).max(1),
    words: z.number().int().min(0),
    /** The entry's current revision, on review events (entry.approved ... entry.revised). */
    revision: z.number().int().min(1).optional(),
  }),
});
export type WebhookPayload = z.infer<typeof WebhookPayload>;

const printable = /^[^\p{Cc}]*$/u;

export const CreateWebhookRequest = z
  .object({
    url: z.url({ protocol: /^https?$/, message: "url must be an http(s) URL" }).max(2048),
    /** Which events the endpoint receives; all of them when omitted. */
    events: z.array(WebhookEventType).min(1, "events must list at least one event type").max(webhookEventTypes.length).optional(),
    description: z.string().max(200).regex(printable, "description must not contain control characters").optional(),
  })
  .strict();
export type CreateWebhookRequest = z.infer<typeof CreateWebhookRequest>;

export const RotateSecretRequest = z
  .object({
    /** How long the old secret keeps signing beside the new one (default one day, at most a week). */
    overlap_seconds: z.number().int().min(0).max(7 * 24 * 3600).optional(),
  })
  .strict();
export type RotateSecretRequest = z.infer<typeof RotateSecretRequest>;

export const deliveryStatuses = ["pending", "succeeded", "failed", "canceled"] as const;

export const ListDeliveriesQuery = z
  .object({
    entry_id: z.string().regex(/^ent_[0-9a-z]{26}$/, "entry_id must be an entry id").optional(),
    endpoint_id: z.string().regex(/^whe_[0-9a-z]{16}$/, "endpoint_id must be a webhook endpoint id").optional(),
    status: z.enum(deliveryStatuses).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  })
  .strict();
