// Reads and writes of webhook endpoints and deliveries, always scoped to the API key that owns them.
import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { webhookEventTypes, type CreateWebhookRequest } from "../../shared/api/webhooks.ts";
import type { EdgeDb } from "../db/client.ts";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../db/schema.ts";
import { newSortableId, randomId } from "../ids.ts";

export type EndpointRow = typeof webhookEndpoints.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

export const maxEndpointsPerKey = 20;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function endpointView(row: EndpointRow, withSecret = false) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    ...(withSecret ? { secret: row.secret } : {}),
    previous_secret_expires_at: row.previousSecret && (row.previousSecretExpiresAt ?? 0) > Date.now() ? iso(row.previousSecretExpiresAt) : null,
    disabled_at: iso(row.disabledAt),
    disabled_reason: row.disabledReason,
    created_at: iso(row.createdAt),
  };
}

export function deliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    event_id: row.eventId,
    event_type: row.eventType,
    entry_id: row.entryId,
    endpoint_id: row.endpointId,
    url: row.url,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === "pending" ? iso(row.nextAttemptAt) : null,
    last_status: row.lastStatus,
    last_latency_ms: row.lastLatencyMs,
    last_error: row.lastError,
    replay_of: row.replayOf,
    created_at: iso(row.createdAt),
    delivered_at: iso(row.deliveredAt),
    payload: JSON.parse(row.payload) as unknown,
  };
}

export function attemptView(row: typeof webhookAttempts.$inferSelect) {
  return { attempt: row.attempt, at: iso(row.at), status_code: row.statusCode, latency_ms: row.latencyMs, error: row.error, next_attempt_at: iso(row.nextAttemptAt) };
}

export async function countEndpoints(db: EdgeDb, keyId: string): Promise<number> {
  const row = await db.select({ n: sql<number>`count(*)` }).from(webhookEndpoints).where(eq(webhookEndpoints.keyId, keyId)).get();
  return row?.n ?? 0;
}

export async function createEndpoint(db: EdgeDb, keyId: string, body: CreateWebhookRequest): Promise<EndpointRow> {
  const now = Date.now();
  return (await db
    .insert(webhookEndpoints)
    .values({
      id: randomId("whe"),
      keyId,
      url: body.url,
      description: body.description ?? null,
      events: body.events ? [...new Set(body.events)] : [...webhookEventTypes],
      secret: newSigningSecret(),
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get())!;
}

export async function listEndpoints(db: EdgeDb, keyId: string): Promise<EndpointRow[]> {
  return db.select().from(webhookEndpoints).where(eq(webhookEndpoints.keyId, keyId)).orderBy(asc(webhookEndpoints.createdAt)).all();
}

export async function findEndpoint(db: EdgeDb, keyId: string, id: string): Promise<EndpointRow | undefined> {
  return db
    .select()
    .from(webhookEndpoints)
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.keyId, keyId)))
    .get();
}

/** Deletes the endpoint and cancels what was still queued for it. */
export async function deleteEndpoint(db: EdgeDb, keyId: string, id: string): Promise<boolean> {
  const now = Date.now();
  const [deleted] = await db.batch([
    db
      .delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.keyId, keyId)))
      .returning({ id: webhookEndpoints.id }),
    db
      .update(webhookDeliveries)
      .set({ status: "canceled", nextAttemptAt: null, lastError: "endpoint deleted", updatedAt: now })
      .where(and(eq(webhookDeliveries.endpointId, id), eq(webhookDeliveries.keyId, keyId), eq(webhookDeliveries.status, "pending"))),
  ]);
  return deleted.length > 0;
}

export async function rotateEndpointSecret(db: EdgeDb, keyId: string, id: string, overlapSeconds: number): Promise<EndpointRow | undefined> {
  const now = Date.now();
  return db
    .update(webhookEndpoints)
    .set({ previousSecret: sql`${webhookEndpoints.secret}`, previousSecretExpiresAt: now + overlapSeconds * 1000, secret: newSigningSecret(), updatedAt: now })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.keyId, keyId)))
    .returning()
    .get();
}

export async function enableEndpoint(db: EdgeDb, keyId: string, id: string): Promise<EndpointRow | undefined> {
  return db
    .update(webhookEndpoints)
    .set({ disabledAt: null, disabledReason: null, updatedAt: Date.now() })
    .where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.keyId, keyId)))
    .returning()
    .get();
}

export async function listDeliveries(
  db: EdgeDb,
  keyId: string,
  q: { entryId?: string; endpointId?: string; status?: string; limit: number; beforeId?: string },
): Promise<DeliveryRow[]> {
  const where = [eq(webhookDeliveries.keyId, keyId)];
  if (q.entryId) where.push(eq(webhookDeliveries.entryId, q.entryId));
  if (q.endpointId) where.push(eq(webhookDeliveries.endpointId, q.endpointId));
  if (q.status) where.push(eq(webhookDeliveries.status, q.status));
  if (q.beforeId) where.push(lt(webhookDeliveries.id, q.beforeId));
  return db
    .select()
    .from(webhookDeliveries)
    .where(and(...where))
    .orderBy(desc(webhookDeliveries.id))
    .limit(q.limit + 1)
    .all();
}

export async function findDelivery(db: EdgeDb, keyId: string, id: string): Promise<DeliveryRow | undefined> {
  return db
    .select()
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.id, id), eq(webhookDeliveries.keyId, keyId)))
    .get();
}

export async function deliveryAttempts(db: EdgeDb, id: string) {
  return db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, id)).orderBy(asc(webhookAttempts.attempt)).all();
}

/**
 * Replays a delivery: a new delivery of the same event (same `webhook-id`, same payload) to the same
 * destination, due now, logged separately from the original.
 */
export async function replayDelivery(db: EdgeDb, original: DeliveryRow): Promise<DeliveryRow> {
  const now = Date.now();
  return (await db
    .insert(webhookDeliveries)
    .values({
      id: newSortableId("whd", now),
      eventId: original.eventId,
      keyId: original.keyId,
      endpointId: original.endpointId,
      url: original.url,
      entryId: original.entryId,
      eventType: original.eventType,
      payload: original.payload,
      status: "pending",
      nextAttemptAt: now,
      replayOf: original.id,
      createdAt: now,
      updatedAt: now,
    })
    .returning()
    .get())!;
}
