// The only writer of `entries`: create, claim for a node, release, extend leases, apply a node's
// event, cancel, fail, retry, and a reviewer's decision (reviewEntry, issue 12). Every change of status is checked against the lifecycle table
// (shared/lifecycle/transitions.ts) and appended to the entry's `transitions`; every change is a
// conditional UPDATE (on `version`, or on who holds the entry), so concurrent or repeated requests
// and events cannot overwrite a newer state; and a change's webhook deliveries are written in the
// same batch (one transaction) as the change itself.
import { and, count, eq, inArray, isNull, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { CreateEntryRequest } from "../../shared/api/entry.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import {
  advanceProgress,
  assertMove,
  canMove,
  findTransition,
  initialProgress,
  isFinished,
  isTerminal,
  ProgressRecord,
  unfinishedStatuses,
  type Actor,
  type EntryStatus,
} from "../../shared/lifecycle/index.ts";
import type { EdgeDb } from "../db/client.ts";
import { entries, idempotencyKeys, type EntryError, type StatusChange } from "../db/schema.ts";
import type { WebhookEventType } from "../../shared/api/webhooks.ts";
import { appendAudit, changeWon, insertRevision, replaceContent, type NewRevision } from "../review/records.ts";
import { eventBatchItems, eventTypeFor, prepareEntryEvent, type PreparedEvent } from "../webhooks/events.ts";
import { findEntryById, unfinished, type EntryRow } from "./reads.ts";

export type NewEntry = CreateEntryRequest & { id: string; keyId: string; traceparent?: string };

/** Webhook timing settings that changes need (from EdgeConfig). */
export type EventSettings = { progressIntervalMs: number };
const defaultEventSettings: EventSettings = { progressIntervalMs: 10_000 };

export const waitingStep = "waiting for a GPU node";
const maxStepChars = 200;
const stepText = (step: string) => (step.length > maxStepChars ? `${step.slice(0, maxStepChars - 3)}...` : step);

/** The record with a new `step`, in SQL: for writes that do not read the row first. */
const withStep = (step: string): SQL => sql`json_set(${entries.progress}, '$.step', ${stepText(step)})`;

/**
 * A change of status as the store writes it: checked against the lifecycle table (throws
 * TransitionRefused), with the new status appended to the history when it differs.
 */
function move(row: Pick<EntryRow, "status" | "transitions">, to: EntryStatus, by: Actor, now: number): { status: EntryStatus; transitions: StatusChange[] } {
  assertMove(row.status, to, by);
  return { status: to, transitions: row.status === to ? row.transitions : [...row.transitions, { status: to, at: now }] };
}

/**
 * Writes one read-then-change of an entry: `build` gets the row as it is now and returns the fields
 * to set (or undefined: nothing to do); the UPDATE applies only if nobody changed the row since, else
 * it is tried again on the fresh row.
 */
async function changeEntry(
  db: EdgeDb,
  id: string,
  build: (row: EntryRow, now: number) => { set: Partial<typeof entries.$inferInsert>; webhook?: PreparedEvent; also?: SQL[] } | undefined,
  first?: EntryRow,
): Promise<{ row: EntryRow | undefined; changed: boolean; eventId?: string }> {
  let row = first ?? (await findEntryById(db, id));
  for (let attempt = 0; attempt < 10 && row; attempt++) {
    const now = Date.now();
    const change = build(row, now);
    if (!change) return { row, changed: false };
    const update = db
      .update(entries)
      .set({ ...change.set, changeToken: change.webhook?.token ?? null, version: sql`${entries.version} + 1`, updatedAt: now })
      .where(and(eq(entries.id, row.id), eq(entries.version, row.version)))
      .returning();
    const also = (change.also ?? []).map((statement) => db.run(statement));
    const [updated] = await db.batch([update, ...also, ...eventBatchItems(db, change.webhook)]);
    if (updated.length > 0) return { row: updated[0]!, changed: true, eventId: change.webhook?.eventId };
    row = await findEntryById(db, id);
  }
  if (!row) return { row, changed: false };
  throw new Error(`could not change ${id}: too much contention`);
}

/** The webhook event of a status change, if it is one (see webhooks/events.ts). */
function webhookFor(row: EntryRow, to: EntryStatus, progress: ProgressRecord, now: number, settings: EventSettings & { revision?: number }): PreparedEvent | undefined {
  const type = eventTypeFor(row.status, to);
  return type ? prepareEntryEvent({ type, entryId: row.id, keyId: row.keyId, status: to, progress: progress.progress, words: progress.words, now, ...settings }) : undefined;
}

/**
 * Inserts the entry, and with an idempotency key records it in the same transaction. Returns the
 * entry id: the new one, or the one an earlier request with the same key created.
 */
export async function createEntry(
  db: EdgeDb,
  entry: NewEntry,
  idempotency?: { key: string; requestHash: string },
): Promise<{ created: true; id: string } | { created: false; id: string; requestHash: string }> {
  const now = Date.now();
  const status: EntryStatus = "queued";
  const values = {
    id: entry.id,
    keyId: entry.keyId,
    subject: entry.subject,
    tier: entry.tier,
    category: entry.category,
    seed: entry.seed ?? null,
    webhookUrl: entry.webhook_url ?? null,
    status,
    progress: initialProgress(waitingStep),
    transitions: [{ status, at: now }],
    traceparent: entry.traceparent ?? null,
    createdAt: now,
    updatedAt: now,
  };
  if (!idempotency) {
    await db.insert(entries).values(values);
    return { created: true, id: entry.id };
  }
  const claim = db
    .insert(idempotencyKeys)
    .values({ keyId: entry.keyId, idempotencyKey: idempotency.key, requestHash: idempotency.requestHash, entryId: entry.id, createdAt: now })
    .onConflictDoNothing();
  // The claim goes first: when the key is already taken it inserts nothing, and the entry insert
  // below selects no row, all inside one batch (one transaction).
  const claimed = db
    .select({ entryId: idempotencyKeys.entryId })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.keyId, entry.keyId), eq(idempotencyKeys.idempotencyKey, idempotency.key)));
  const insert = db.run(sql`INSERT INTO ${entries} (id, key_id, subject, tier, category, seed, webhook_url, status, progress_record, transitions, traceparent, created_at, updated_at)
      SELECT ${values.id}, ${values.keyId}, ${values.subject}, ${values.tier}, ${values.category}, ${values.seed}, ${values.webhookUrl},
             ${values.status}, ${JSON.stringify(values.progress)}, ${JSON.stringify(values.transitions)}, ${values.traceparent}, ${now}, ${now}
      WHERE (${claimed}) = ${entry.id}`);
  await db.batch([claim, insert]);
  const owner = await db
    .select({ entryId: idempotencyKeys.entryId, requestHash: idempotencyKeys.requestHash })
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.keyId, entry.keyId), eq(idempotencyKeys.idempotencyKey, idempotency.key)))
    .get();
  if (owner && owner.entryId === entry.id) return { created: true, id: entry.id };
  // The key that blocked the claim expired and was removed in between: the key is free again.
  if (!owner) return createEntry(db, entry, idempotency);
  return { created: false, id: owner.entryId, requestHash: owner.requestHash };
}

/**
 * Assigns a waiting entry to `node` until `now + leaseMs`, if the node holds fewer than `capacity`
 * unfinished entries (checked in the same statement, so concurrent dispatchers cannot overfill it);
 * undefined when the entry is no longer waiting or the node is full.
 */
export async function claimEntry(db: EdgeDb, id: string, node: { id: string; url: string | null; capacity: number }, leaseMs: number, now = Date.now()): Promise<EntryRow | undefined> {
  const held = alias(entries, "held");
  const holding = db
    .select({ n: count() })
    .from(held)
    .where(and(eq(held.nodeId, node.id), inArray(held.status, [...unfinishedStatuses])));
  return db
    .update(entries)
    .set({
      nodeId: node.id,
      nodeUrl: node.url,
      leaseExpiresAt: now + leaseMs,
      dispatchAttempts: sql`${entries.dispatchAttempts} + 1`,
      dispatchedAt: now,
      progress: withStep(`dispatched to GPU node ${node.id}`),
      version: sql`${entries.version} + 1`,
      updatedAt: now,
    })
    .where(and(eq(entries.id, id), isNull(entries.nodeId), unfinished, sql`(${holding}) < ${node.capacity}`))
    .returning()
    .get();
}

/** Gives the entry back to the queue if it is still assigned to `nodeId`. */
export async function releaseEntry(db: EdgeDb, id: string, nodeId: string, step: string): Promise<boolean> {
  const row = await db
    .update(entries)
    .set({ nodeId: null, nodeUrl: null, leaseExpiresAt: null, progress: withStep(step), version: sql`${entries.version} + 1`, updatedAt: Date.now() })
    .where(and(eq(entries.id, id), eq(entries.nodeId, nodeId), unfinished))
    .returning({ id: entries.id })
    .get();
  return row !== undefined;
}

/** Extends the leases of the unfinished entries `nodeId` holds among `ids` (its heartbeat, or a re-sent assignment). */
export async function extendLeases(db: EdgeDb, nodeId: string, ids: readonly string[], until: number): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(entries)
    .set({ leaseExpiresAt: until })
    .where(and(inArray(entries.id, [...ids]), eq(entries.nodeId, nodeId), unfinished));
}

/**
 * Marks the entry canceled (by its user) unless it already ended, with its entry.canceled webhook
 * event in the same transaction. Returns the row as it stands afterwards and the event id when one
 * was queued.
 */
export async function cancelEntry(db: EdgeDb, row: EntryRow, settings: EventSettings = defaultEventSettings): Promise<{ changed: boolean; row: EntryRow; eventId?: string }> {
  const result = await changeEntry(
    db,
    row.id,
    (current, now) => {
      if (isTerminal(current.status)) return undefined;
      const progress: ProgressRecord = { ...current.progress, step: "canceled by the user", eta_seconds: null };
      return { set: { ...move(current, "canceled", "user", now), progress, leaseExpiresAt: null }, webhook: webhookFor(current, "canceled", progress, now, settings) };
    },
    row,
  );
  return { changed: result.changed, row: result.row ?? row, eventId: result.eventId };
}

/** Ends an unfinished entry as failed by the edge (with its entry.failed event), e.g. when a node lost its result. */
export async function failEntry(db: EdgeDb, id: string, error: EntryError, settings: EventSettings = defaultEventSettings): Promise<string | undefined> {
  const result = await changeEntry(db, id, (row, now) => {
    if (isTerminal(row.status)) return undefined;
    const progress: ProgressRecord = { ...row.progress, step: "failed", eta_seconds: null };
    return { set: { ...move(row, "failed", "edge", now), progress, error, leaseExpiresAt: null }, webhook: webhookFor(row, "failed", progress, now, settings) };
  });
  return result.eventId;
}

export type RetryResult = { retried: true; row: EntryRow } | { retried: false; row: EntryRow };

/**
 * Sends a failed entry back to the queue (by its user): the next node resumes it from its
 * checkpoints, keeping every word written (`attempt` tells the node this is a new try). The record
 * keeps its figures; no webhook event is sent now: `entry.started` follows when a node takes it up.
 */
export async function retryEntry(db: EdgeDb, row: EntryRow): Promise<RetryResult> {
  const result = await changeEntry(
    db,
    row.id,
    (current, now) => {
      // A move the table names (failed -> queued), not a stay in "queued".
      if (!findTransition(current.status, "queued", "user")) return undefined;
      // An entry with text failed in a revision of chosen sections: that revision is what resumes (failed -> revising).
      const to: EntryStatus = current.revision > 0 ? "revising" : "queued";
      const attempt = current.attempt + 1;
      return {
        set: {
          ...move(current, to, "user", now),
          progress: { ...current.progress, step: `${waitingStep} (retry ${attempt})`, eta_seconds: null },
          error: null,
          attempt,
          nodeId: null,
          nodeUrl: null,
          leaseExpiresAt: null,
        },
      };
    },
    row,
  );
  return result.changed ? { retried: true, row: result.row! } : { retried: false, row: result.row ?? row };
}

export type ApplyOptions = EventSettings & {
  /** The node that sent the event (from its callback URL); absent for callers that predate fencing. */
  fromNode?: string;
  /** How long the node's assignment holds after this event. */
  leaseMs: number;
  /** A `finished` event of a revising entry: the revision it brings (edge/review/arrival.ts). */
  revision?: ArrivingRevision;
};

/** A revision of chosen sections as it comes back from a node, checked against its request. */
export type ArrivingRevision = Pick<NewRevision, "number" | "base" | "author" | "reason" | "sectionsChanged">;

export type ApplyResult = {
  applied: boolean;
  row: EntryRow | undefined;
  /** The entry belongs to another node: the sender must stop. */
  reassigned?: boolean;
  /** The webhook event queued with the change, if any. */
  eventId?: string;
};

/**
 * Applies one event from a GPU node. Events at or below the last applied sequence number, and any
 * event for an entry that already ended, change nothing: duplicates and reorderings are harmless.
 * An event from a node other than the assignee is refused (`reassigned`); an unassigned entry is
 * adopted by the node that reports on it (a node that came back and resumed from its checkpoints).
 * A move the lifecycle table does not allow is not applied. The record is the node's, except that
 * `progress` never goes back. A finished entry's content is stored in the same batch.
 */
export async function applyNodeEvent(db: EdgeDb, id: string, event: NodeEvent, opts: ApplyOptions = { ...defaultEventSettings, leaseMs: 15_000 }): Promise<ApplyResult> {
  let reassigned = false;
  const result = await changeEntry(db, id, (row, now) => {
    if (isTerminal(row.status) || event.seq <= row.eventSeq) return undefined;
    if (opts.fromNode && row.nodeId && row.nodeId !== opts.fromNode) {
      reassigned = true;
      return undefined;
    }
    const to = event.status;
    if (!canMove(row.status, to, "node")) {
      console.error(`entry ${id}: node event ${event.seq} (${event.type}) would move it from ${row.status} to ${to}: not in the lifecycle table, ignored`);
      return undefined;
    }
    const ends = isTerminal(to);
    // The event carries the whole record beside its type, seq and status: parsing keeps just the record.
    const reported = ProgressRecord.parse(event);
    const progress = advanceProgress(row.progress, { ...reported, eta_seconds: ends ? null : reported.eta_seconds }, { finished: isFinished(to) });
    const revision = event.type === "finished" ? (row.status === "revising" ? row.revision + 1 : 1) : row.revision;
    if (event.type === "finished" && row.status === "revising" && opts.revision?.number !== revision) {
      console.error(`entry ${id}: node event ${event.seq} brings a revision the edge did not expect (${opts.revision?.number} for ${revision}), ignored`);
      return undefined;
    }
    const webhook = webhookFor(row, to, progress, now, { progressIntervalMs: opts.progressIntervalMs, ...(event.type === "finished" ? { revision } : {}) });
    const also: SQL[] =
      event.type === "finished"
        ? finishedStatements(row, event, revision, opts.revision, now, webhook)
        : [];    return {
      set: {
        ...move(row, to, "node", now),
        progress,
        error: event.type === "failed" ? event.error : null,
        eventSeq: event.seq,
        nodeId: row.nodeId ?? opts.fromNode ?? null,
        leaseExpiresAt: ends ? null : now + opts.leaseMs,
        revision,
      },
      webhook,
      also,
    };
  });
  if (reassigned) return { applied: false, row: result.row, reassigned: true };
  return { applied: result.changed, row: result.row, eventId: result.eventId };
}

type FinishedEvent = Extract<NodeEvent, { type: "finished" }>;

/**
 * What a finished event stores beside the entry's change, in its batch: the pipeline's text as
 * revision 1 (and the content route's copy), or a revision of chosen sections as the next revision
 * (replacing that copy) with its audit row.
 */
function finishedStatements(row: EntryRow, event: FinishedEvent, number: number, arriving: ArrivingRevision | undefined, now: number, webhook: PreparedEvent | undefined): SQL[] {
  // Stored only when the update took effect (the row now carries this event's seq).
  const applied = webhook
    ? changeWon(row.id, webhook.token)
    : sql`EXISTS (SELECT 1 FROM ${entries} WHERE id = ${row.id} AND event_seq = ${event.seq} AND status = ${event.status})`;
  const { entry } = event;
  const text = { entryId: row.id, title: entry.title, markdown: entry.markdown, sections: entry.sections, words: entry.words, metadata: entry.metadata, at: now };
  if (!arriving) {
    return [
      sql`INSERT OR IGNORE INTO entry_contents (entry_id, title, markdown, sections, metadata, created_at)
        SELECT ${row.id}, ${entry.title}, ${entry.markdown}, ${JSON.stringify(entry.sections)}, ${JSON.stringify(entry.metadata)}, ${now}
        WHERE ${applied}`,
      insertRevision({ ...text, number, kind: "pipeline", base: null, author: { keyId: null, name: "pipeline" }, reason: null, sectionsChanged: [] }, applied),
    ];
  }
  const revision: NewRevision = { ...text, ...arriving, kind: "revision" };
  return [
    insertRevision(revision, applied),
    replaceContent(revision, applied),
    appendAudit(
      { at: now, actor: { keyId: null, name: `GPU node ${row.nodeId ?? "(unassigned)"}` }, action: "revised", entryId: row.id, revision: number, reason: arriving.reason, detail: { base: arriving.base, sections: arriving.sectionsChanged, requested_by: arriving.author } },
      applied,
    ),
  ];
}

// ---- A reviewer's decisions (issue 12; edge/review/ builds them) ----

/** One decision as the store applies it: the move, its event, and the records written with it. */
export type ReviewMove = {
  /** The revision the reviewer decided on: the change applies only while it is the entry's current one. */
  madeOn: number;
  /** The status it leads to (the same status for a hand edit of an entry already in needs_review). */
  to: EntryStatus;
  event: WebhookEventType;
  /** The progress record afterwards (a revision starts from 0 again); else the step changes only. */
  progress?: ProgressRecord;
  step: string;
  /** The entry's current revision afterwards (a hand edit adds one). */
  revision?: number;
  /** The revision, request and audit statements, guarded by `won` (this change took effect). */
  records: (won: SQL, now: number) => SQL[];
};

export type ReviewResult =
  | { applied: true; row: EntryRow; eventId: string }
  | { applied: false; reason: "stale_revision" | "not_reviewable"; row: EntryRow }
  | { applied: false; reason: "entry_not_found" };

/**
 * Applies a reviewer's decision atomically: only on a finished entry whose current revision is the
 * one decided on (a conditional UPDATE on the row's version, so of two concurrent decisions one
 * wins and the other finds the revision or the status moved), checked against the lifecycle table
 * (by "user"), with its webhook event and its records in the same batch.
 */
export async function reviewEntry(db: EdgeDb, id: string, decision: ReviewMove, settings: EventSettings = defaultEventSettings): Promise<ReviewResult> {
  let refused: "stale_revision" | "not_reviewable" | undefined;
  const result = await changeEntry(db, id, (row, now) => {
    refused = undefined;
    if (!isFinished(row.status)) refused = "not_reviewable";
    else if (row.revision !== decision.madeOn) refused = "stale_revision";
    if (refused) return undefined;
    const progress = decision.progress ?? { ...row.progress, step: decision.step, eta_seconds: null };
    const revision = decision.revision ?? row.revision;
    const webhook = prepareEntryEvent({ type: decision.event, entryId: row.id, keyId: row.keyId, status: decision.to, progress: progress.progress, words: progress.words, now, revision, ...settings });
    const status = decision.to === row.status ? { status: row.status, transitions: row.transitions } : move(row, decision.to, "user", now);
    return {
      set: { ...status, progress, revision, error: null, nodeId: null, nodeUrl: null, leaseExpiresAt: null },
      webhook,
      also: decision.records(changeWon(row.id, webhook.token), now),
    };
  });
  if (!result.row) return { applied: false, reason: "entry_not_found" };
  if (!result.changed) return { applied: false, reason: refused ?? "not_reviewable", row: result.row };
  return { applied: true, row: result.row, eventId: result.eventId! };
}
