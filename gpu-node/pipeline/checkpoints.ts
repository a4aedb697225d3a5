// Persists each job and its draft on the node's disk (libSQL), and logs every completed step once.
import { and, eq, notInArray } from "drizzle-orm";
import type { NodeJob } from "../../shared/api/node-protocol.ts";
import { terminalStatuses } from "../../shared/api/entry.ts";
import type { NodeDb } from "../db/client.ts";
import { pipelineJobs, pipelineSteps } from "../db/schema/pipeline.ts";
import type { EntryDraft } from "./draft.ts";

export type StepEntry = { key: string; kind: string; reason?: string; tokens?: number; durationMs?: number };

export type StoredJob = { job: NodeJob; draft: EntryDraft | null; eventSeq: number; status: string };

export class CheckpointStore {
  // Writes are chained so concurrent sections never interleave two updates of one row.
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: NodeDb) {}

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Records a job the first time it is seen; returns what is stored for it. */
  async open(job: NodeJob): Promise<StoredJob> {
    return this.serial(async () => {
      const now = Date.now();
      await this.db
        .insert(pipelineJobs)
        .values({ id: job.id, job: job as unknown as Record<string, unknown>, status: "queued", createdAt: now, updatedAt: now })
        .onConflictDoNothing();
      const row = (await this.db.select().from(pipelineJobs).where(eq(pipelineJobs.id, job.id)).get())!;
      return { job: row.job as unknown as NodeJob, draft: (row.draft as unknown as EntryDraft) ?? null, eventSeq: row.eventSeq, status: row.status };
    });
  }

  /** The draft as it is now: taken at once, because the draft keeps changing while a write waits its turn. */
  private draftUpdate(id: string, draft: EntryDraft) {
    const snapshot = JSON.parse(JSON.stringify(draft)) as Record<string, unknown>;
    const status = draft.status;
    return () => this.db.update(pipelineJobs).set({ draft: snapshot, status, updatedAt: Date.now() }).where(eq(pipelineJobs.id, id));
  }

  saveDraft(id: string, draft: EntryDraft): Promise<void> {
    const update = this.draftUpdate(id, draft);
    return this.serial(async () => {
      await update();
    });
  }

  private insertStep(id: string, step: StepEntry) {
    return this.db
      .insert(pipelineSteps)
      .values({ jobId: id, key: step.key, kind: step.kind, reason: step.reason ?? null, tokens: step.tokens ?? 0, durationMs: Math.round(step.durationMs ?? 0), at: Date.now() })
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
    return this.db.select().from(pipelineSteps).where(eq(pipelineSteps.jobId, id)).all();
  }

  setEventSeq(id: string, seq: number): Promise<void> {
    return this.serial(async () => {
      await this.db.update(pipelineJobs).set({ eventSeq: seq }).where(eq(pipelineJobs.id, id));
    });
  }

  setStatus(id: string, status: string): Promise<void> {
    return this.serial(async () => {
      await this.db.update(pipelineJobs).set({ status, updatedAt: Date.now() }).where(eq(pipelineJobs.id, id));
    });
  }

  /** Jobs that were running when the node last stopped. */
  async unfinished(): Promise<StoredJob[]> {
    const rows = await this.db
      .select()
      .from(pipelineJobs)
      .where(notInArray(pipelineJobs.status, [...terminalStatuses]))
      .all();
    return rows.map((row) => ({ job: row.job as unknown as NodeJob, draft: (row.draft as unknown as EntryDraft) ?? null, eventSeq: row.eventSeq, status: row.status }));
  }

  async find(id: string): Promise<StoredJob | undefined> {
    const row = await this.db.select().from(pipelineJobs).where(and(eq(pipelineJobs.id, id))).get();
    return row ? { job: row.job as unknown as NodeJob, draft: (row.draft as unknown as EntryDraft) ?? null, eventSeq: row.eventSeq, status: row.status } : undefined;
  }
}
