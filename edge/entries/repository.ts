// Reads and writes of entries. Every state change is a conditional UPDATE, so concurrent or
// repeated events cannot overwrite a newer state (optimistic concurrency on `version`/`event_seq`).
import { and, desc, eq, lt, notInArray, sql } from "drizzle-orm";
import { isTerminal, terminalStatuses, type CreateEntryRequest, type EntryStatus } from "../../shared/api/entry.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import type { EdgeDb } from "../db/client.ts";
import { entries, entryContents, idempotencyKeys } from "../db/schema.ts";

export type EntryRow = typeof entries.$inferSelect;
export type ContentRow = typeof entryContents.$inferSelect;

export type NewEntry = CreateEntryRequest & { id: string; keyId: string };

/**
 * Inserts the entry, and with an idempotency key records it in the same transaction. Returns the
 * entry id: the new one, or the one an earlier request with the same key created.
 */
export async function insertEntry(
  db: EdgeDb,
  entry: NewEntry,
  idempotency?: { key: string; requestHash: string },
): Promise<{ created: true; id: string } | { created: false; id: string; requestHash: string }> {
  const now = Date.now();
  const insert = db.insert(entries).values({
    id: entry.id,
    keyId: entry.keyId,
    subject: entry.subject,
    tier: entry.tier,
    category: entry.category,
    seed: entry.seed ?? null,
    webhookUrl: entry.webhook_url ?? null,
    status: "queued",
    step: "waiting for a GPU node",
    transitions: [{ status: "queued", at: now }],
    createdAt: now,
    updatedAt: now,
  });
  if (!idempotency) {
    await insert;
    return { created: true, id: entry.id };
  }
  const claim = db
    .insert(idempotencyKeys)
    .values({ keyId: entry.keyId, idempotencyKey: idempotency.key, requestHash: idempotency.requestHash, entryId: entry.id, createdAt: now })
    .onConflictDoNothing();
  // The claim goes first: when the key is already taken it inserts nothing, and the entry insert
  // below is skipped by its WHERE, all inside one batch (one transaction).
  await db.batch([
    claim,
    db.run(sql`INSERT INTO entries (id, key_id, subject, tier, category, seed, webhook_url, status, step, transitions, created_at, updated_at)
      SELECT ${entry.id}, ${entry.keyId}, ${entry.subject}, ${entry.tier}, ${entry.category}, ${entry.seed ?? null}, ${entry.webhook_url ?? null},
             'queued', 'waiting for a GPU node', ${JSON.stringify([{ status: "queued", at: now }])}, ${now}, ${now}
      WHERE (SELECT entry_id FROM idempotency_keys WHERE key_id = ${entry.keyId} AND idempotency_key = ${idempotency.key}) = ${entry.id}`),
  ]);
  const owner = await db
    .select({ entryId: idempotencyKeys.entryId, requestHash: idempotencyKeys.requestHash })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.keyId, entry.keyId), eq(idempotencyKeys.idempotencyKey, idempotency.key)))
    .get();
  if (owner && owner.entryId === entry.id) return { created: true, id: entry.id };
  return { created: false, id: owner!.entryId, requestHash: owner!.requestHash };
}

// Polling runs this query more than any other: prepare it once per database (saves building the SQL
// on every request).
const ownedEntryQueries = new WeakMap<EdgeDb, ReturnType<typeof prepareOwnedEntry>>();
const prepareOwnedEntry = (db: EdgeDb) =>
  db
    .select()
    .from(entries)
    .where(and(eq(entries.id, sql.placeholder("id")), eq(entries.keyId, sql.placeholder("keyId"))))
    .prepare();

export async function findEntry(db: EdgeDb, id: string, keyId: string): Promise<EntryRow | undefined> {
  let query = ownedEntryQueries.get(db);
  if (!query) ownedEntryQueries.set(db, (query = prepareOwnedEntry(db)));
  return query.get({ id, keyId });
}

export async function findEntryById(db: EdgeDb, id: string): Promise<EntryRow | undefined> {
  return db.select().from(entries).where(eq(entries.id, id)).get();
}

export async function listEntries(db: EdgeDb, keyId: string, opts: { status?: EntryStatus; limit: number; afterId?: string }): Promise<EntryRow[]> {
  const where = [eq(entries.keyId, keyId)];
  if (opts.status) where.push(eq(entries.status, opts.status));
  if (opts.afterId) where.push(lt(entries.id, opts.afterId));
  return db
    .select()
    .from(entries)
    .where(and(...where))
    .orderBy(desc(entries.id))
    .limit(opts.limit + 1)
    .all();
}

export async function findContent(db: EdgeDb, id: string): Promise<ContentRow | undefined> {
  return db.select().from(entryContents).where(eq(entryContents.entryId, id)).get();
}

function withTransition(row: EntryRow, status: EntryStatus, now: number) {
  return row.status === status ? row.transitions : [...row.transitions, { status, at: now }];
}

/** Marks the entry canceled unless it already ended. Returns the row as it stands afterwards. */
export async function cancelEntry(db: EdgeDb, row: EntryRow): Promise<{ changed: boolean; row: EntryRow }> {
  if (isTerminal(row.status as EntryStatus)) return { changed: false, row };
  const now = Date.now();
  const updated = await db
    .update(entries)
    .set({
      status: "canceled",
      step: "canceled by the user",
      etaSeconds: null,
      transitions: withTransition(row, "canceled", now),
      version: sql`${entries.version} + 1`,
      updatedAt: now,
    })
    .where(and(eq(entries.id, row.id), eq(entries.version, row.version)))
    .returning()
    .get();
  if (updated) return { changed: true, row: updated };
  const fresh = (await findEntryById(db, row.id))!;
  return cancelEntry(db, fresh);
}

export async function recordDispatch(db: EdgeDb, id: string, nodeUrl: string | null, step: string): Promise<void> {
  await db
    .update(entries)
    .set({ nodeUrl, step, version: sql`${entries.version} + 1`, updatedAt: Date.now() })
    .where(and(eq(entries.id, id), notInArray(entries.status, [...terminalStatuses])));
}

/**
 * Applies one event from a GPU node. Events at or below the last applied sequence number, and any
 * event for an entry that already ended, change nothing: duplicates and reorderings are harmless.
 */
export async function applyNodeEvent(db: EdgeDb, id: string, event: NodeEvent): Promise<{ applied: boolean; row: EntryRow | undefined }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await findEntryById(db, id);
    if (!row) return { applied: false, row };
    if (isTerminal(row.status as EntryStatus) || event.seq <= row.eventSeq) return { applied: false, row };
    const now = Date.now();
    const status: EntryStatus = event.type === "failed" ? "failed" : event.type === "canceled" ? "canceled" : event.status;
    const update = db
      .update(entries)
      .set({
        status,
        step: event.step ?? null,
        progress: isTerminal(status) && status !== "failed" && status !== "canceled" ? 1 : event.progress,
        words: event.words,
        sectionsDone: event.sections_done,
        sectionsTotal: event.sections_total,
        tokens: event.tokens,
        etaSeconds: isTerminal(status) ? null : event.eta_seconds,
        error: event.type === "failed" ? event.error : null,
        transitions: withTransition(row, status, now),
        version: sql`${entries.version} + 1`,
        eventSeq: event.seq,
        updatedAt: now,
      })
      .where(and(eq(entries.id, id), eq(entries.version, row.version)))
      .returning();
    if (event.type === "finished") {
      const { entry } = event;
      const [updated] = await db.batch([
        update,
        // Stored only when the update above took effect (the row now carries this event's seq).
        db.run(sql`INSERT OR IGNORE INTO entry_contents (entry_id, title, markdown, sections, metadata, created_at)
          SELECT ${id}, ${entry.title}, ${entry.markdown}, ${JSON.stringify(entry.sections)}, ${JSON.stringify(entry.metadata)}, ${now}
          WHERE EXISTS (SELECT 1 FROM entries WHERE id = ${id} AND event_seq = ${event.seq} AND status = ${status})`),
      ]);
      if (updated.length > 0) return { applied: true, row: updated[0] };
      continue;
    }
    const updated = await update.get();
    if (updated) return { applied: true, row: updated };
  }
  return { applied: false, row: await findEntryById(db, id) };
}
