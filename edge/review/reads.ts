// The review flow's reads: an entry's revisions, its pending revision request, and the audit log.
// Every read that a user can reach names the entry's key, so another key's entries stay invisible.
import { and, asc, desc, eq, lt, sql } from "drizzle-orm";
import type { EdgeDb } from "../db/client.ts";
import { auditLog, entries, entryRevisions, revisionRequests } from "../db/schema.ts";

export type RevisionRow = typeof entryRevisions.$inferSelect;
export type RevisionRequestRow = typeof revisionRequests.$inferSelect;
export type AuditRow = typeof auditLog.$inferSelect;

/** The columns of a revision without its text: what a listing shows. */
const summaryColumns = {
  entryId: entryRevisions.entryId,
  number: entryRevisions.number,
  kind: entryRevisions.kind,
  base: entryRevisions.base,
  keyId: entryRevisions.keyId,
  keyName: entryRevisions.keyName,
  reason: entryRevisions.reason,
  title: entryRevisions.title,
  words: entryRevisions.words,
  sectionsChanged: entryRevisions.sectionsChanged,
  createdAt: entryRevisions.createdAt,
  // The scores only, read inside the database: a listing does not carry 200 issues per revision.
  qualityScore: sql<number | null>`json_extract(${entryRevisions.metadata}, '$.quality_score')`,
  validation: sql<string | null>`json_remove(json_extract(${entryRevisions.metadata}, '$.edge_validation'), '$.issues')`,
};
export type RevisionSummaryRow = Omit<RevisionRow, "markdown" | "sections" | "metadata"> & { qualityScore: number | null; validation: string | null };

const ownedBy = (entryId: string, keyId: string) => and(eq(entries.id, entryId), eq(entries.keyId, keyId));

/** The entry's id, status and current revision, if it belongs to `keyId`. */
export async function ownedEntryState(db: EdgeDb, entryId: string, keyId: string) {
  return db.select({ id: entries.id, status: entries.status, revision: entries.revision, tier: entries.tier }).from(entries).where(ownedBy(entryId, keyId)).get();
}

/** Oldest first. */
export async function revisionSummaries(db: EdgeDb, entryId: string): Promise<RevisionSummaryRow[]> {
  return db.select(summaryColumns).from(entryRevisions).where(eq(entryRevisions.entryId, entryId)).orderBy(asc(entryRevisions.number)).all();
}

export async function findRevision(db: EdgeDb, entryId: string, number: number): Promise<RevisionRow | undefined> {
  return db
    .select()
    .from(entryRevisions)
    .where(and(eq(entryRevisions.entryId, entryId), eq(entryRevisions.number, number)))
    .get();
}

/** The request that revision `number` answers. */
export async function findRevisionRequest(db: EdgeDb, entryId: string, number: number): Promise<RevisionRequestRow | undefined> {
  return db
    .select()
    .from(revisionRequests)
    .where(and(eq(revisionRequests.entryId, entryId), eq(revisionRequests.number, number)))
    .get();
}

/** One entry's audit trail, oldest first. */
export async function entryAudit(db: EdgeDb, entryId: string): Promise<AuditRow[]> {
  return db.select().from(auditLog).where(eq(auditLog.entryId, entryId)).orderBy(asc(auditLog.id)).all();
}

/** The whole log, newest first, `limit + 1` rows (the extra one says there is a next page). */
export async function auditPage(db: EdgeDb, opts: { limit: number; beforeId?: number; entryId?: string }): Promise<AuditRow[]> {
  const where = [opts.beforeId !== undefined ? lt(auditLog.id, opts.beforeId) : undefined, opts.entryId ? eq(auditLog.entryId, opts.entryId) : undefined];
  return db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(opts.limit + 1)
    .all();
}
