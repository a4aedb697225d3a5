// Signing secrets of webhook deliveries: one per endpoint, and one per API key for entries' own
// `webhook_url`. Rotation keeps the previous secret signing beside the new one for an overlap.
import { eq, sql } from "drizzle-orm";
import { newSigningSecret } from "../../shared/api/signing.ts";
import type { EdgeDb } from "../db/client.ts";
import { webhookSigningSecrets } from "../db/schema.ts";

export const defaultOverlapSeconds = 24 * 3600;

type Rotatable = { secret: string; previousSecret: string | null; previousSecretExpiresAt: number | null };

/** The secrets that sign a delivery now: the current one, and the previous one during its overlap. */
export function activeSecrets(row: Rotatable, now = Date.now()): string[] {
  return row.previousSecret && (row.previousSecretExpiresAt ?? 0) > now ? [row.secret, row.previousSecret] : [row.secret];
}

/** The per-key secret for entries' own webhook_url, created on first use. */
export async function keySigningSecret(db: EdgeDb, keyId: string): Promise<typeof webhookSigningSecrets.$inferSelect> {
  const existing = await db.select().from(webhookSigningSecrets).where(eq(webhookSigningSecrets.keyId, keyId)).get();
  if (existing) return existing;
  const now = Date.now();
  await db.insert(webhookSigningSecrets).values({ keyId, secret: newSigningSecret(), createdAt: now, updatedAt: now }).onConflictDoNothing();
  return (await db.select().from(webhookSigningSecrets).where(eq(webhookSigningSecrets.keyId, keyId)).get())!;
}

export async function rotateKeySigningSecret(db: EdgeDb, keyId: string, overlapSeconds: number) {
  await keySigningSecret(db, keyId);
  const now = Date.now();
  return (await db
    .update(webhookSigningSecrets)
    .set({
      previousSecret: sql`${webhookSigningSecrets.secret}`,
      previousSecretExpiresAt: now + overlapSeconds * 1000,
      secret: newSigningSecret(),
      updatedAt: now,
    })
    .where(eq(webhookSigningSecrets.keyId, keyId))
    .returning()
    .get())!;
}
