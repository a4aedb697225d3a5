// Persists each entry this node writes, its draft after every completed step, and a log of steps
// (each key written once), in the node's libSQL file. What is read back is parsed, not cast: a row
// that no longer fits the schema is an error naming the entry, never a half-read draft.
import { and, eq, inArray, isNull } from "drizzle-orm";
import type { z } from "zod";
import { EntryAssignment } from "../../shared/api/node-protocol.ts";
import { entryStatus, unfinishedStatuses, type EntryStatus } from "../../shared/lifecycle/index.ts";
import type { NodeDb } from "../db/client.ts";
import { entrySteps, nodeEntries } from "../db/schema/entries.ts";
import { EntryDraft } from "./draft.ts";

export type StepEntry = { key: string; kind: string; reason?: string; tokens?: number; durationMs?: number };

export type StoredEntry = {
  assignment: EntryAssignment;
  draft: EntryDraft | null;
  eventSeq: number;
  status: EntryStatus;
  /** Why the node holds it without writing it; null while it may run. */
  parked: string | null;
};

type Row = typeof nodeEntries.$inferSelect;

function parseRow(row: Row): StoredEntry {
  const assignment = EntryAssignment.safeParse(row.assignment);
  if (!assignment.success) throw new Error(`entry ${row.id}: its stored assignment does not parse: ${assignment.error.message}`);
  let draft: EntryDraft | null = null;
  if (row.draft !== null && row.draft !== undefined) {
    const parsed = EntryDraft.safeParse(row.draft);
    if (!parsed.success) throw new Error(`entry ${row.id}: its stored draft does not parse: ${parsed.error.message}`);
    draft = parsed.data;
  }
  return { assignment: assignment.data, draft, eventSeq: row.eventSeq, status: entryStatus(row.status), parked: row.parked ?? null };
}

export class CheckpointStore {
  // Writes are chained so concurrent sections never interleave two updates of one row.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: NodeDb) {}

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /**
   * Records an assignment the first time it is seen (a later one only replaces where to report);
   * returns what is stored for the entry.
   */
  async open(given: z.input<typeof EntryAssignment>): Promise<StoredEntry> {
    const assignment = EntryAssignment.parse(given);
    return this.serial(async () => {
      const now = Date.now();
      await this.db
        .insert(nodeEntries)
        .values({ id: assignment.id, assignment, status: "queued", createdAt: now, updatedAt: now })
        .onConflictDoUpdate({ target: nodeEntries.id, set: { assignment, updatedAt: now } });
      return parseRow((await this.db.select().from(nodeEntries).where(eq(nodeEntries.id, assignment.id)).get())!);
    });
  }

  /** The draft as it is now: taken at once, because the draft keeps changing while a write waits its turn. */
  private draftUpdate(id: string, draft: EntryDraft) {
    const snapshot: unknown = JSON.parse(JSON.stringify(draft));
    const status = draft.status;
    return () => this.db.update(nodeEntries).set({ draft: snapshot, status, updatedAt: Date.now() }).where(eq(nodeEntries.id, id));
  }

  saveDraft(id: string, draft: EntryDraft): Promise<void> {
    const update = this.draftUpdate(id, draft);
    return this.serial(async () => {
      await update();
    });
  }

  private insertStep(id: string, step: StepEntry) {
    return this.db
      .insert(entrySteps)
      .values({ entryId: id, key: step.key, kind: step.kind, reason: step.reason ?? null, tokens: step.tokens ?? 0, durationMs: Math.round(step.durationMs ?? 0), at: Date.now() })
      .onConflictDoNothing();
  }

  /** Logs a completed step. Returns false if this key was already logged (it must not run twice). */
  logStep(id: string, step: StepEntry): Promise<boolean> {
    return this.serial(async () => (await this.insertStep(id, step)).rowsAffected > 0);
  }

  /**
   * Saves the draft and logs the step that produced it in one transaction: a process killed
   * between the two writes would otherwise keep the text without its log row, or the reverse.
   */
  commitStep(id: string, draft: EntryDraft, step: StepEntry): Promise<boolean> {
    const update = this.draftUpdate(id, draft);
    return this.serial(async () => {
      const [, inserted] = await this.db.batch([update(), this.insertStep(id, step)]);
      return inserted.rowsAffected > 0;
    });
  }

  steps(id: string) {
    return this.db.select().from(entrySteps).where(eq(entrySteps.entryId, id)).all();
  }

  setEventSeq(id: string, seq: number): Promise<void> {
    return this.serial(async () => {
      await this.db.update(nodeEntries).set({ eventSeq: seq }).where(eq(nodeEntries.id, id));
    });
  }

  setStatus(id: string, status: EntryStatus): Promise<void> {
    return this.serial(async () => {
      await this.db.update(nodeEntries).set({ status, updatedAt: Date.now() }).where(eq(nodeEntries.id, id));
    });
  }

  /** Holds the entry without writing it (`reason`), or lets it run again (null). */
  setParked(id: string, reason: string | null): Promise<void> {
    return this.serial(async () => {
      await this.db.update(nodeEntries).set({ parked: reason, updatedAt: Date.now() }).where(eq(nodeEntries.id, id));
    });
  }

  /**
   * Entries that were being written when the node last stopped (not those it parked). One whose
   * checkpoint no longer parses is parked with the reason rather than stop the node from starting.
   */
  async unfinished(): Promise<{ entries: StoredEntry[]; unreadable: { id: string; reason: string }[] }> {
    const rows = await this.db
      .select()
      .from(nodeEntries)
      .where(and(inArray(nodeEntries.status, [...unfinishedStatuses]), isNull(nodeEntries.parked)))
      .all();
    const entries: StoredEntry[] = [];
    const unreadable: { id: string; reason: string }[] = [];
    for (const row of rows) {
      try {
        entries.push(parseRow(row));
      } catch (error) {
        const reason = (error as Error).message.slice(0, 500);
        unreadable.push({ id: row.id, reason });
        await this.setParked(row.id, reason);
      }
    }
    return { entries, unreadable };
  }

  async find(id: string): Promise<StoredEntry | undefined> {
    const row = await this.db.select().from(nodeEntries).where(eq(nodeEntries.id, id)).get();
    return row ? parseRow(row) : undefined;
  }
}
