// Writes the entries the edge assigns to this node, as many at once as the engine really runs (its
// capacity); the others wait here, accepted, for a free slot. Each entry has one AbortController and
// one event reporter; its draft is checkpointed, so a node that restarts picks it up again.
//
// How an entry stops without ending (it stays resumable from its checkpoints):
//   the node shuts down, or the edge took it back (released, reassigned)   NodeStop: kept for a restart
//   its events cannot reach the edge, or the edge does not know it        EntryParked: held, not rerun
//     at start, until the edge assigns it again (a node never writes blind for an edge that is gone)
import type { z } from "zod";
import type { AssignmentOutcome, EntryAssignment, FinishedEntry } from "../../shared/api/node-protocol.ts";
import { isResumable, isTerminal, isWorking, initialProgress } from "../../shared/lifecycle/index.ts";
import { callbackOnEdge, checkCallback } from "../edge-link/callbacks.ts";
import type { StoredEntry } from "../pipeline/checkpoints.ts";
import type { EntryDraft } from "../pipeline/draft.ts";
import { revisionDraft } from "../pipeline/steps/revision.ts";
import { draftProgress, draftRecord } from "../pipeline/run.ts";
import { runPipeline, type PipelineDeps, type PipelineReport } from "../pipeline/write-entry.ts";
import { entryLogFields, type Log, type LogFields, type LogLevel } from "../telemetry/log.ts";
import { EventRefused, EventReporter, EventUndelivered, type EventBody } from "./event-reporter.ts";

export type RunnerOptions = {
  deps: PipelineDeps;
  secret: string;
  /** The node's edge: the only place it reports to; undefined refuses every assignment. */
  edge: { url: string; reportTimeoutMs: number } | undefined;
  /** Entries written at once: the engine's sequences, or fewer. */
  capacity: number;
  /**
   * Where the runner tells what it does (gpu-node/telemetry/log.ts), each line about an entry with its
   * entry_id and trace_id: "info" as an entry is accepted, starts, finishes, is canceled or stopped;
   * "warn" when one stops for its edge; "error" when one fails.
   */
  log?: Log;
  /** Called once per entry that finished (for example to index it in the knowledge base). */
  onFinished?: (assignment: EntryAssignment, entry: FinishedEntry) => Promise<void>;
};

/** The entry stops here and stays resumable: the node is shutting down, or the edge took it back. */
class NodeStop extends Error {}

/** The entry stops and is parked: held without running until the edge assigns it again. */
class EntryParked extends Error {}

type Held = {
  assignment: EntryAssignment;
  controller: AbortController;
  reporter: EventReporter;
  done: Promise<void>;
  /** Resolves when the entry may start writing (a slot is free). */
  admitted: Promise<void>;
  admit: () => void;
  writing: boolean;
};

export class EntryRunner {
  private readonly held = new Map<string, Held>();
  /** Ids waiting for a slot, first come first served. */
  private readonly waiting: string[] = [];
  /** Aborted by close(): event retries stop waiting, so shutdown is prompt. */
  private readonly shutdown = new AbortController();

  constructor(private readonly opts: RunnerOptions) {}

  get capacity(): number {
    return this.opts.capacity;
  }

  /** Entries held now: writing, or waiting for a slot. */
  get active(): number {
    return this.held.size;
  }

  /** Ids of the entries held now (sent in heartbeats, which extend their leases on the edge). */
  get entryIds(): string[] {
    return [...this.held.keys()];
  }

  private log(level: LogLevel, msg: string, fields?: LogFields): void {
    this.opts.log?.(level, msg, fields);
  }

  /** A line about one entry: its id and trace id (the assignment's traceparent) come with it. */
  private logEntry(assignment: { id: string; traceparent?: string | undefined }, level: LogLevel, msg: string, fields: LogFields = {}): void {
    this.log(level, msg, { ...entryLogFields(assignment), ...fields });
  }

  /**
   * Takes an assignment: starts (or resumes, also after a failure) the entry, or queues it when every
   * slot is busy, unless it already runs here or ended. Throws when its callback is not this node's edge.
   */
  async assign(given: z.input<typeof EntryAssignment>): Promise<AssignmentOutcome> {
    const about = { id: given.id, traceparent: given.traceparent };
    const fields = { tier: given.tier, attempt: given.attempt ?? 0, ...(given.revision ? { revision: given.revision.number } : {}) };
    const outcome = await this.accept(given, (taken) => this.logEntry(about, "info", "entry accepted", { outcome: taken, ...fields })).catch((error: Error) => {
      this.logEntry(about, "warn", "entry refused", { error: error.message });
      throw error;
    });
    if (outcome === "already running" || outcome === "already ended") this.logEntry(about, "info", `entry ${outcome}`, { outcome, ...fields });
    return outcome;
  }

  /** `accepted` is told as soon as the entry is held, before it writes a word (its lines come in order). */
  private async accept(given: z.input<typeof EntryAssignment>, accepted: (outcome: "started" | "resumed" | "queued") => void): Promise<AssignmentOutcome> {
    checkCallback(given.callback_url, given.id, this.opts.edge?.url);
    // seq_base: the edge may have applied events of this entry from another node; number ours above them.
    const seqBase = given.seq_base ?? 0;
    if (this.held.has(given.id)) return this.alreadyRunning(given.id, seqBase);
    let stored = await this.opts.deps.checkpoints.open(given);
    // A reviewer's revision of chosen sections is new work, also on an entry that ended here.
    const revision = stored.assignment.revision;
    const newRevision = revision !== undefined && stored.draft?.revision?.number !== revision.number;
    if (newRevision) stored = await this.startRevision(stored);
    if (isTerminal(stored.status) && !isResumable(stored.status)) return "already ended";
    if (this.held.has(given.id)) return this.alreadyRunning(given.id, seqBase);
    if (stored.parked) await this.opts.deps.checkpoints.setParked(given.id, null);
    // A failed entry assigned again (a retry) resumes from its checkpoints, keeping every word.
    if (stored.status === "failed") await this.opts.deps.checkpoints.setStatus(given.id, stored.draft && isWorking(stored.draft.status) ? stored.draft.status : "queued");
    const queued = this.hold(stored.assignment, stored.draft, Math.max(stored.eventSeq, seqBase), false);
    const outcome = queued ? "queued" : stored.draft && !newRevision ? "resumed" : "started";
    accepted(outcome);
    return outcome;
  }

  /** Checkpoints the draft a revision starts from (steps/revision.ts): the entry is revising here from now on. */
  private async startRevision(stored: StoredEntry): Promise<StoredEntry> {
    const draft = revisionDraft(stored.assignment, this.opts.deps.config);
    await this.opts.deps.checkpoints.saveDraft(stored.assignment.id, draft);
    return { ...stored, draft, status: draft.status };
  }

  private alreadyRunning(id: string, seqBase: number): "already running" {
    this.held.get(id)?.reporter.raiseSeq(seqBase);
    return "already running";
  }

  /**
   * Resumes every entry that was being written when the node last stopped, reporting to the edge
   * configured now; each asks that edge first, and runs only if the edge still wants it from this node.
   */
  async resumeUnfinished(): Promise<string[]> {
    const { entries: stored, unreadable } = await this.opts.deps.checkpoints.unfinished();
    for (const bad of unreadable) this.log("warn", "entry not resumed: its checkpoints cannot be read", { entry_id: bad.id, reason: bad.reason });
    const edge = this.opts.edge;
    if (!edge) {
      if (stored.length > 0) this.log("warn", `${stored.length} unfinished entr${stored.length === 1 ? "y waits" : "ies wait"} for an edge: set OPUS_EDGE_URL to resume them`);
      return [];
    }
    const resumed: string[] = [];
    for (const entry of stored) {
      if (this.held.has(entry.assignment.id)) continue;
      const assignment = { ...entry.assignment, callback_url: callbackOnEdge(entry.assignment.callback_url, entry.assignment.id, edge.url) };
      this.hold(assignment, entry.draft, entry.eventSeq, true);
      resumed.push(assignment.id);
    }
    return resumed;
  }

  cancel(id: string): boolean {
    const entry = this.held.get(id);
    if (!entry) return false;
    entry.controller.abort(new Error("canceled"));
    return true;
  }

  /** Stops the entry without reporting it (the edge gave it to another node); it stays resumable here. */
  release(id: string): boolean {
    const entry = this.held.get(id);
    if (!entry) return false;
    entry.controller.abort(new NodeStop("released by the edge"));
    return true;
  }

  /** Resolves when the entry (if held) has finished and reported. */
  async settled(id: string): Promise<void> {
    await this.held.get(id)?.done;
  }

  /** Stops every entry without reporting them canceled: they resume when the node comes back. */
  async close(): Promise<void> {
    this.shutdown.abort();
    for (const entry of this.held.values()) entry.controller.abort(new NodeStop("node shutting down"));
    await Promise.allSettled([...this.held.values()].map((e) => e.done));
  }

  /** Holds the entry and runs it when a slot is free. Returns true when it has to wait for one. */
  private hold(assignment: EntryAssignment, draft: EntryDraft | null, eventSeq: number, askEdgeFirst: boolean): boolean {
    const controller = new AbortController();
    const { checkpoints } = this.opts.deps;
    const reporter = new EventReporter({
      callbackUrl: assignment.callback_url,
      traceparent: assignment.traceparent,
      secret: this.opts.secret,
      startSeq: eventSeq,
      persistSeq: (seq) => checkpoints.setEventSeq(assignment.id, seq),
      giveUpAfterMs: this.opts.edge?.reportTimeoutMs,
      signal: this.shutdown.signal,
      onCanceled: () => controller.abort(new Error("canceled")),
      onReassigned: () => controller.abort(new NodeStop("reassigned to another node")),
    });
    let admit!: () => void;
    const admitted = new Promise<void>((resolve) => (admit = resolve));
    const entry: Held = { assignment, controller, reporter, done: Promise.resolve(), admitted, admit, writing: false };
    this.held.set(assignment.id, entry);
    const queued = this.writingCount() >= this.opts.capacity;
    if (queued) this.waiting.push(assignment.id);
    else this.startWriting(entry);
    entry.done = this.run(entry, draft, askEdgeFirst).finally(() => {
      this.held.delete(assignment.id);
      const at = this.waiting.indexOf(assignment.id);
      if (at >= 0) this.waiting.splice(at, 1);
      this.admitNext();
    });
    return queued;
  }

  private writingCount(): number {
    let n = 0;
    for (const entry of this.held.values()) if (entry.writing) n++;
    return n;
  }

  private startWriting(entry: Held): void {
    entry.writing = true;
    entry.admit();
  }

  private admitNext(): void {
    while (this.waiting.length > 0 && this.writingCount() < this.opts.capacity) {
      const next = this.held.get(this.waiting.shift()!);
      if (next) this.startWriting(next);
    }
  }

  /** Waits for a slot, or rejects with the abort reason. */
  private async waitForSlot(entry: Held): Promise<void> {
    const signal = entry.controller.signal;
    if (entry.writing) return;
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener("abort", onAbort, { once: true });
      void entry.admitted.then(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      });
    });
  }

  /** An event for the entry's reporter; a failure to deliver it stops (parks) the entry. */
  private report(entry: Held, event: EventBody): Promise<void> {
    return entry.reporter.send(event).catch((error: unknown) => {
      if (error instanceof EventRefused || error instanceof EventUndelivered) {
        this.logEntry(entry.assignment, "warn", "entry parked: it stops here until the edge assigns it again", { error: error.message });
        entry.controller.abort(new EntryParked(error instanceof EventRefused ? `the edge refused its events (${error.httpStatus})` : "its edge could not be reached"));
      } else this.logEntry(entry.assignment, "warn", "entry event not delivered", { event: event.type, error: (error as Error).message });
    });
  }

  private async run(entry: Held, draft: EntryDraft | null, askEdgeFirst: boolean): Promise<void> {
    const { assignment, controller } = entry;
    const { checkpoints, config } = this.opts.deps;
    const id = assignment.id;
    const sections = config.tiers[assignment.tier].sections;
    let last: PipelineReport = { status: "blueprint", ...initialProgress("") };
    const log = (level: LogLevel, msg: string, fields?: LogFields) => this.logEntry(assignment, level, msg, fields);
    try {
      await this.waitForSlot(entry);
      log("info", "entry started", { resumed: draft !== null, tier: assignment.tier });
      if (askEdgeFirst) {
        // Resumed without the edge asking: ask it before spending the engine on the entry.
        const resumedStatus = draft?.revision ? "revising" : draft && isWorking(draft.status) ? draft.status : undefined;
        if (draft && resumedStatus) last = { status: resumedStatus, ...draftRecord(draft, sections, "resuming from checkpoints", draftProgress(draft), null) };
        await this.report(entry, { type: "progress", ...last, step: "resuming from checkpoints" });
        controller.signal.throwIfAborted();
      }
      const result = await runPipeline(
        assignment,
        this.opts.deps,
        {
          signal: controller.signal,
          draft,
          onProgress: (report) => {
            last = report;
            void this.report(entry, { type: "progress", ...report });
          },
        },
      );
      // A revision always goes back to a reviewer (the lifecycle's revising -> needs_review).
      const verdict = assignment.revision ? "needs_review" : result.status;
      await this.opts.onFinished?.(assignment, result.entry).catch((e: Error) => log("warn", "entry finished, but its after-finish step failed", { error: e.message }));
      // The entry is marked ended only once the edge has its result: a node that stops before that
      // resumes the entry (from its checkpoints, with nothing left to write) and reports it again.
      try {
        await entry.reporter.send({
          type: "finished",
          ...last,
          status: verdict,
          step: verdict === "succeeded" ? "finished" : "needs review",
          progress: 1,
          words: result.entry.words,
          eta_seconds: 0,
          entry: result.entry,
        });
      } catch (reportError) {
        const refused = reportError instanceof EventRefused;
        log("warn", "entry finished, but its result did not reach the edge", { status: verdict, error: (reportError as Error).message, resumable: !refused });
        if (!refused) {
          await checkpoints.setParked(id, "its finished result could not reach the edge");
          return;
        }
      }
      await checkpoints.setStatus(id, verdict);
      log("info", "entry finished", { status: verdict, words: result.entry.words });
    } catch (error) {
      const reason = controller.signal.reason;
      if (controller.signal.aborted && reason instanceof NodeStop) {
        log("info", "entry stopped (resumable from its checkpoints)", { reason: reason.message });
        return; // resumes on restart
      }
      try {
        if (controller.signal.aborted && reason instanceof EntryParked) {
          await checkpoints.setParked(id, reason.message);
        } else if (controller.signal.aborted) {
          log("info", "entry canceled", { step: last.step, words: last.words });
          await checkpoints.setStatus(id, "canceled");
          await entry.reporter.send({ type: "canceled", ...last, status: "canceled", step: "canceled" });
        } else {
          log("error", "entry failed", { error: error instanceof Error ? error : String(error), step: last.step });
          await checkpoints.setStatus(id, "failed");
          await entry.reporter.send({
            type: "failed",
            ...last,
            status: "failed",
            step: "failed",
            error: { code: "generation_failed", message: (error as Error).message.slice(0, 2000) },
          });
        }
      } catch (reportError) {
        log("warn", "entry's last event not delivered", { error: (reportError as Error).message });
      }
    }
  }
}
