// Removes records whose use has ended, so the database does not grow without bound: webhook
// deliveries that ended (with their attempt log) and idempotency keys past their replay window.
// Entries themselves are the users' work and are never removed here. Each round removes a bounded
// batch, so one cron invocation stays short however much has piled up.
import { and, inArray, lt, ne, sql } from "drizzle-orm";
import type { EdgeConfig } from "./config.ts";
import type { EdgeDb } from "./db/client.ts";
import { idempotencyKeys, webhookAttempts, webhookDeliveries } from "./db/schema.ts";

export type PruneSummary = { deliveries: number; idempotencyKeys: number };

export async function pruneExpired(db: EdgeDb, retention: EdgeConfig["retention"], opts: { now?: number; limit?: number } = {}): Promise<PruneSummary> {
  const now = opts.now ?? Date.now();
  const limit = opts.limit ?? 500;

  // Pending deliveries are still being retried: only ended ones age out.
  const ended = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(lt(webhookDeliveries.updatedAt, now - retention.webhookLogMs), ne(webhookDeliveries.status, "pending")))
    .limit(limit)
    .all();
  const ids = ended.map((d) => d.id);
  if (ids.length > 0) {
    // One transaction: a delivery never outlives its attempts or the reverse.
    await db.batch([db.delete(webhookAttempts).where(inArray(webhookAttempts.deliveryId, ids)), db.delete(webhookDeliveries).where(inArray(webhookDeliveries.id, ids))]);
  }

  const keys = await db.run(
    sql`DELETE FROM ${idempotencyKeys} WHERE rowid IN (SELECT rowid FROM ${idempotencyKeys} WHERE ${idempotencyKeys.createdAt} < ${now - retention.idempotencyMs} LIMIT ${limit})`,
  );
  return { deliveries: ids.length, idempotencyKeys: keys.rowsAffected };
}
