// Reads and writes of entries. Every state change is a conditional UPDATE, so concurrent or
// repeated events cannot overwrite a newer state (optimistic concurrency on `version`/`event_seq`).
import { and, desc, eq, lt, sql } from "drizzle-orm";
import { isTerminal, type CreateEntryRequest, type EntryStatus } from "../../shared/api/entry.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import type { EdgeDb } from "../db/client.ts";
import { entries, entryContents, idempotencyKeys, type EntryError } from "../db/schema.ts";
import { eventBatchItems, eventTypeFor, prepareEntryEvent } from "../webhooks/events.ts";

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
  // The key that blocked the claim expired and was removed in between: the key is free again.
  if (!owner) return insertEntry(db, entry, idempotency);
  return { created: false, id: owner.entryId, requestHash: owner.requestHash };
}

// Polling runs these queries many times a second: each is prepared once per database handle.
function preparedPerDb<Q>(build: (db: EdgeDb) => Q): (db: EdgeDb) => Q {
  const prepared = new WeakMap<EdgeDb, Q>();
  return (db) => {
    let query = prepared.get(db);
    if (!query) prepared.set(db, (query = build(db)));
    return query;
  };
}
const ownedBy = and(eq(entries.id, sql.placeholder("id")), eq(entries.keyId, sql.placeholder("keyId")));

const ownedEntry = preparedPerDb((db) => db.select().from(entries).where(ownedBy).prepare());
export async function findEntry(db: EdgeDb, id: string, keyId: string): Promise<EntryRow | undefined> {
  return ownedEntry(db).get({ id, keyId });
}

/** The columns a status response shows: reading only these keeps the polling route cheap. */
const statusColumns = {
  id: entries.id,
  subject: entries.subject,
  tier: entries.tier,
  category: entries.category,
  status: entries.status,
  step: entries.step,
  progress: entries.progress,
  words: entries.words,
  sectionsDone: entries.sectionsDone,
  sectionsTotal: entries.sectionsTotal,
  tokens: entries.tokens,
  etaSeconds: entries.etaSeconds,
  seed: entries.seed,
  error: entries.error,
  createdAt: entries.createdAt,
  updatedAt: entries.updatedAt,
  transitions: entries.transitions,
  version: entries.version,
};
export type EntryStatusRow = Pick<EntryRow, keyof typeof statusColumns>;

const ownedStatus = preparedPerDb((db) => db.select(statusColumns).from(entries).where(ownedBy).prepare());
export async function findEntryStatus(db: EdgeDb, id: string, keyId: string): Promise<EntryStatusRow | undefined> {
  return ownedStatus(db).get({ id, keyId });
}

const ownedVersion = preparedPerDb((db) => db.select({ id: entries.id, version: entries.version }).from(entries).where(ownedBy).prepare());
/** Just enough to answer a conditional poll with 304. */
export async function findEntryVersion(db: EdgeDb, id: string, keyId: string): Promise<{ id: string; version: number } | undefined> {
  return ownedVersion(db).get({ id, keyId });
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

/** Webhook timing settings that state changes need (from EdgeConfig). */
export type EventSettings = { progressIntervalMs: number };
const defaultEventSettings: EventSettings = { progressIntervalMs: 10_000 };

/**
 * Marks the entry canceled unless it already ended, with its entry.canceled webhook event in the same
 * transaction. Returns the row as it stands afterwards and the event id when one was queued.
 */
export async function cancelEntry(db: EdgeDb, row: EntryRow, settings: EventSettings = defaultEventSettings): Promise<{ changed: boolean; row: EntryRow; eventId?: string }> {
  for (let attempt = 0; attempt < 10; attempt++) {
    if (isTerminal(row.status as EntryStatus)) return { changed: false, row };
    const now = Date.now();
    const event = prepareEntryEvent({ type: "entry.canceled", entryId: row.id, keyId: row.keyId, status: "canceled", progress: row.progress, words: row.words, now, ...settings });
    const update = db
      .update(entries)
      .set({
        status: "canceled",
        step: "canceled by the user",
        etaSeconds: null,
        leaseExpiresAt: null,
        changeToken: event.token,
        transitions: withTransition(row, "canceled", now),
        version: sql`${entries.version} + 1`,
        updatedAt: now,
      })
      .where(and(eq(entries.id, row.id), eq(entries.version, row.version)))
      .returning();
    const [updated] = await db.batch([update, ...eventBatchItems(db, event)]);
    if (updated.length > 0) return { changed: true, row: updated[0]!, eventId: event.eventId };
    row = (await findEntryById(db, row.id))!;
  }
  throw new Error(`could not cancel ${row.id}: too much contention`);
}

/** Ends an unfinished entry as failed (with its entry.failed event), e.g. when a node lost its result. */
export async function failEntry(db: EdgeDb, id: string, error: EntryError, settings: EventSettings = defaultEventSettings): Promise<string | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const row = await findEntryById(db, id);
    if (!row || isTerminal(row.status as EntryStatus)) return undefined;
    const now = Date.now();
    const event = prepareEntryEvent({ type: "entry.failed", entryId: id, keyId: row.keyId, status: "failed", progress: row.progress, words: row.words, now, ...settings });
    const update = db
      .update(entries)
      .set({ status: "failed", step: "failed", error, etaSeconds: null, leaseExpiresAt: null, changeToken: event.token, transitions: withTransition(row, "failed", now), version: sql`${entries.version} + 1`, updatedAt: now })
      .where(and(eq(entries.id, id), eq(entries.version, row.version)))
      .returning();
    const [updated] = await db.batch([update, ...eventBatchItems(db, event)]);
    if (updated.length > 0) return event.eventId;
  }
  return undefined;
}

export type ApplyOptions = EventSettings & {
  /** The node that sent the event (from its callback URL); absent for callers that predate fencing. */
  fromNode?: string;
  /** How long the node's assignment holds after this event. */
  leaseMs: number;
};

export type ApplyResult = {
  applied: boolean;
  row: EntryRow | undefined;
  /** The job belongs to another node: the sender must stop. */
  reassigned?: boolean;
  /** The webhook event queued with the change, if any. */
  eventId?: string;
};

/**
 * Applies one event from a GPU node. Events at or below the last applied sequence number, and any
 * event for an entry that already ended, change nothing: duplicates and reorderings are harmless.
 * An event from a node other than the assignee is refused (`reassigned`); an unassigned entry is
 * adopted by the node that reports on it (a node that came back and resumed from its checkpoints).
 * The webhook event of the change is written in the same batch.
 */
export async function applyNodeEvent(db: EdgeDb, id: string, event: NodeEvent, opts: ApplyOptions = { ...defaultEventSettings, leaseMs: 15_000 }): Promise<ApplyResult> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const row = await findEntryById(db, id);
    if (!row) return { applied: false, row };
    if (isTerminal(row.status as EntryStatus)) return { applied: false, row };
    if (opts.fromNode && row.nodeId && row.nodeId !== opts.fromNode) return { applied: false, row, reassigned: true };
    if (event.seq <= row.eventSeq) return { applied: false, row };
    const now = Date.now();
    const status: EntryStatus = event.type === "failed" ? "failed" : event.type === "canceled" ? "canceled" : event.status;
    const terminal = isTerminal(status);
    const progress = terminal && status !== "failed" && status !== "canceled" ? 1 : event.progress;
    const type = eventTypeFor(row.status as EntryStatus, status);
    const webhook = type
      ? prepareEntryEvent({ type, entryId: id, keyId: row.keyId, status, progress, words: event.words, now, progressIntervalMs: opts.progressIntervalMs })
      : undefined;
    const update = db
      .update(entries)
      .set({
        status,
        step: event.step ?? null,
        progress,
        words: event.words,
        sectionsDone: event.sections_done,
        sectionsTotal: event.sections_total,
        tokens: event.tokens,
        etaSeconds: terminal ? null : event.eta_seconds,
        error: event.type === "failed" ? event.error : null,
        transitions: withTransition(row, status, now),
        version: sql`${entries.version} + 1`,
        eventSeq: event.seq,
        nodeId: row.nodeId ?? opts.fromNode ?? null,
        leaseExpiresAt: terminal ? null : now + opts.leaseMs,
        changeToken: webhook?.token ?? null,
        updatedAt: now,
      })
      .where(and(eq(entries.id, id), eq(entries.version, row.version)))
      .returning();
    const content =
      event.type === "finished"
        ? [
            // Stored only when the update above took effect (the row now carries this event's seq).
            db.run(sql`INSERT OR IGNORE INTO entry_contents (entry_id, title, markdown, sections, metadata, created_at)
              SELECT ${id}, ${event.entry.title}, ${event.entry.markdown}, ${JSON.stringify(event.entry.sections)}, ${JSON.stringify(event.entry.metadata)}, ${now}
              WHERE EXISTS (SELECT 1 FROM entries WHERE id = ${id} AND event_seq = ${event.seq} AND status = ${status})`),
          ]
        : [];
    const [updated] = await db.batch([update, ...content, ...eventBatchItems(db, webhook)]);
    if (updated.length > 0) return { applied: true, row: updated[0], eventId: webhook?.eventId };
  }
  return { applied: false, row: await findEntryById(db, id) };
}
