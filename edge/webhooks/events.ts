// Turns a change of an entry into webhook deliveries, inside the same batch (one transaction) as the
// change itself: a delivery exists exactly when the change was applied, so a repeated or reordered
// node event can never produce a second event, and a crash between the two cannot lose one.
import { sql, type SQL } from "drizzle-orm";
import { isTerminal, shownProgress, type EntryStatus } from "../../shared/lifecycle/index.ts";
import type { WebhookEventType, WebhookPayload } from "../../shared/api/webhooks.ts";
import type { EdgeDb } from "../db/client.ts";
import { randomId, sortableTimePrefix } from "../ids.ts";

/**
 * Which event a change is, if any: the terminal one, started (a node took the entry up: first, or
 * again after a retry), or progress. Going back to the queue (a retry) is no event of its own.
 */
export function eventTypeFor(before: EntryStatus, after: EntryStatus): WebhookEventType | undefined {
  // A revision of chosen sections (issue 12): requested, reported on like any work, then back.
  if (after === "revising") return before === "revising" ? "entry.progress" : "entry.revising";
  if (before === "revising" && after === "needs_review") return "entry.revised";
  if (isTerminal(after)) return before === after ? undefined : (`entry.${after}` as const);
  if (after === "queued") return undefined;
  if (before === "queued") return "entry.started";
  return "entry.progress";
}

export type EntryEvent = {
  type: WebhookEventType;
  entryId: string;
  keyId: string;
  status: EntryStatus;
  progress: number;
  words: number;
  now: number;
  /** entry.progress is sent at most once per entry and destination in this window. */
  progressIntervalMs: number;
  /** The entry's current revision, sent on review events. */
  revision?: number;
};

/**
 * `token` must be written to entries.change_token by the change's own UPDATE: the deliveries are
 * inserted only when the row carries it afterwards, i.e. when that UPDATE (not a concurrent one) won.
 */
export type PreparedEvent = { eventId: string; token: string; statements: SQL[] };

/** The INSERT statements (to run in the change's batch), the guard token and the event id (the `webhook-id`). */
export function prepareEntryEvent(event: EntryEvent): PreparedEvent {
  const eventId = randomId("msg", 15);
  const token = randomId("chg", 12);
  const payload: WebhookPayload = {
    type: event.type,
    timestamp: new Date(event.now).toISOString(),
    data: { id: event.entryId, status: event.status, progress: shownProgress(event.progress), words: event.words, ...(event.revision ? { revision: event.revision } : {}) },
  };
  const body = JSON.stringify(payload);
  // Delivery ids sort by time like entry ids: the time prefix, then 16 random hex characters.
  const newId = sql`'whd_' || ${sortableTimePrefix(event.now)} || lower(hex(randomblob(8)))`;
  const throttle = (destination: SQL) =>
    event.type === "entry.progress"
      ? sql` AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.entry_id = ${event.entryId} AND d.event_type = 'entry.progress'
             AND d.endpoint_id IS ${destination} AND d.created_at > ${event.now - event.progressIntervalMs})`
      : sql``;
  const applied = sql`EXISTS (SELECT 1 FROM entries WHERE id = ${event.entryId} AND change_token = ${token})`;
  const columns = sql`(id, event_id, key_id, endpoint_id, url, entry_id, event_type, payload, status, attempts, next_attempt_at, created_at, updated_at)`;
  const toEndpoints = sql`INSERT INTO webhook_deliveries ${columns}
    SELECT ${newId}, ${eventId}, ${event.keyId}, e.id, e.url, ${event.entryId}, ${event.type}, ${body}, 'pending', 0, ${event.now}, ${event.now}, ${event.now}
    FROM webhook_endpoints e
    WHERE e.key_id = ${event.keyId} AND e.disabled_at IS NULL
      AND EXISTS (SELECT 1 FROM json_each(e.events) WHERE json_each.value = ${event.type})
      AND ${applied}${throttle(sql`e.id`)}`;
  const toEntryUrl = sql`INSERT INTO webhook_deliveries ${columns}
    SELECT ${newId}, ${eventId}, ${event.keyId}, NULL, en.webhook_url, ${event.entryId}, ${event.type}, ${body}, 'pending', 0, ${event.now}, ${event.now}, ${event.now}
    FROM entries en
    WHERE en.id = ${event.entryId} AND en.change_token = ${token} AND en.webhook_url IS NOT NULL${throttle(sql`NULL`)}`;
  return { eventId, token, statements: [toEndpoints, toEntryUrl] };
}

/** The statements as batch items for `db`. */
export function eventBatchItems(db: EdgeDb, prepared: PreparedEvent | undefined) {
  return (prepared?.statements ?? []).map((statement) => db.run(statement));
}
