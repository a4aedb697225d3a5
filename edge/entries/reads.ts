// Every read of `entries` the edge makes, beside the store that writes them (store.ts): the
// polling reads (prepared once per database handle), listings, and the dispatcher's and sweeper's
// questions (which entries wait, whose lease ran out, how many each node holds). "Unfinished" is
// the lifecycle's list, never spelled here.
import { and, asc, count, desc, eq, inArray, isNotNull, isNull, lt, ne, or, sql } from "drizzle-orm";
import { terminalStatuses, unfinishedStatuses, type EntryStatus } from "../../shared/lifecycle/index.ts";
import type { EdgeDb } from "../db/client.ts";
import { entries, entryContents } from "../db/schema.ts";

export type EntryRow = typeof entries.$inferSelect;
export type ContentRow = typeof entryContents.$inferSelect;

/** Entries waiting for a node or being written (the lifecycle's `unfinishedStatuses`). */
export const unfinished = inArray(entries.status, [...unfinishedStatuses]);
const ended = inArray(entries.status, [...terminalStatuses]);

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
export const statusColumns = {
  id: entries.id,
  subject: entries.subject,
  tier: entries.tier,
  category: entries.category,
  status: entries.status,
  progress: entries.progress,
  seed: entries.seed,
  error: entries.error,
  createdAt: entries.createdAt,
  updatedAt: entries.updatedAt,
  transitions: entries.transitions,
  version: entries.version,
};
export type EntryStatusRow = Pick<EntryRow, keyof typeof statusColumns>;
export type EntryVersionRow = { id: string; version: number };

/** The reads a status poll makes. The Node entry answers them from natively prepared statements (edge/db/native-polls.ts). */
export type StatusPolls = {
  /** Just enough to answer a conditional poll with 304. */
  version(id: string, keyId: string): Promise<EntryVersionRow | undefined>;
  /** The status view as JSON text, made by `render` from the row (or reused while the entry's version holds). */
  statusJson(id: string, keyId: string, render: (row: EntryStatusRow) => string): Promise<{ version: number; json: string } | undefined>;
};

/** The status poll as a query, for a driver that prepares it itself. */
export const statusQuery = (db: EdgeDb) => db.select(statusColumns).from(entries).where(ownedBy);
export const versionQuery = (db: EdgeDb) => db.select({ id: entries.id, version: entries.version }).from(entries).where(ownedBy);

const ownedStatus = preparedPerDb((db) => statusQuery(db).prepare());
const ownedVersion = preparedPerDb((db) => versionQuery(db).prepare());

export function drizzlePolls(db: EdgeDb): StatusPolls {
  return {
    version: (id, keyId) => ownedVersion(db).get({ id, keyId }),
    statusJson: async (id, keyId, render) => {
      const row = await ownedStatus(db).get({ id, keyId });
      return row && { version: row.version, json: render(row) };
    },
  };
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

/** Unfinished entries no node holds, oldest first (or only `entryId`). */
export async function waitingEntries(db: EdgeDb, opts: { limit: number; entryId?: string }): Promise<EntryRow[]> {
  return db
    .select()
    .from(entries)
    .where(and(isNull(entries.nodeId), unfinished, opts.entryId ? eq(entries.id, opts.entryId) : undefined))
    .orderBy(asc(entries.id))
    .limit(opts.limit)
    .all();
}

/** Unfinished entries whose node's lease ran out before `now`. */
export async function expiredLeases(db: EdgeDb, now: number, limit: number): Promise<EntryRow[]> {
  return db
    .select()
    .from(entries)
    .where(and(unfinished, isNotNull(entries.nodeId), lt(entries.leaseExpiresAt, now)))
    .limit(limit)
    .all();
}

/** Unfinished entries assigned to each node. */
export async function assignedCounts(db: EdgeDb): Promise<Map<string, number>> {
  const rows = await db
    .select({ nodeId: entries.nodeId, n: count() })
    .from(entries)
    .where(and(isNotNull(entries.nodeId), unfinished))
    .groupBy(entries.nodeId)
    .all();
  return new Map(rows.map((r) => [r.nodeId!, Number(r.n)]));
}

export async function assignedCount(db: EdgeDb, nodeId: string): Promise<number> {
  const row = await db
    .select({ n: count() })
    .from(entries)
    .where(and(eq(entries.nodeId, nodeId), unfinished))
    .get();
  return Number(row?.n ?? 0);
}

/** Of the entries a node says it holds, those it should stop: ended here, or assigned to another node. */
export async function entriesToStop(db: EdgeDb, nodeId: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select({ id: entries.id })
    .from(entries)
    .where(and(inArray(entries.id, [...ids]), or(ended, and(isNotNull(entries.nodeId), ne(entries.nodeId, nodeId)))))
    .all();
  return rows.map((r) => r.id);
}
