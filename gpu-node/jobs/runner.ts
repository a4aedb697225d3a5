// Runs the jobs the edge hands to this node, one AbortController each, reporting progress back.
// Jobs and their drafts are checkpointed, so a node that restarts picks its unfinished jobs up again.
import { isTerminal, type EntryStatus } from "../../shared/api/entry.ts";
import type { FinishedEntry, NodeJob } from "../../shared/api/node-protocol.ts";
import { runPipeline, type PipelineDeps, type Progress } from "../pipeline/write-entry.ts";
import type { EntryDraft } from "../pipeline/draft.ts";
import { EventReporter } from "./reporter.ts";

export type RunnerOptions = {
  deps: PipelineDeps;
  secret: string;
  log?: (line: string) => void;
  /** Called once per entry that finished (for example to index it in the knowledge base). */
  onFinished?: (job: NodeJob, entry: FinishedEntry) => Promise<void>;
};

/** Why a job stopped without the user asking: it stays resumable. */
class NodeShutdown extends Error {}

const progressFields = (p: Progress) => ({
  status: p.status,
  step: p.step,
  progress: p.progress,
  words: p.words,
  sections_done: p.sectionsDone,
  sections_total: p.sectionsTotal,
  tokens: p.tokens,
  eta_seconds: p.etaSeconds,
});

export class JobRunner {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void>; reporter: EventReporter }>();
  /** Aborted by close(): event retries stop waiting, so shutdown is prompt. */
  private readonly shutdown = new AbortController();

  constructor(private readonly opts: RunnerOptions) {}

  get active(): number {
    return this.running.size;
  }

  /** Ids of the jobs running now (sent in heartbeats, which extend their leases on the edge). */
  get jobIds(): string[] {
    return [...this.running.keys()];
  }

  /** Starts (or resumes) the job unless it is already running here or already ended. */
  async start(job: NodeJob): Promise<"started" | "resumed" | "already running" | "already ended"> {
    // seq_base: the edge may have applied events of this job from another node; number ours above them.
    const seqBase = job.seq_base ?? 0;
    if (this.running.has(job.id)) return this.alreadyRunning(job.id, seqBase);
    const stored = await this.opts.deps.checkpoints.open(job);
    if (isTerminal(stored.status as EntryStatus)) return "already ended";
    if (this.running.has(job.id)) return this.alreadyRunning(job.id, seqBase);
    this.launch(stored.job, stored.draft, Math.max(stored.eventSeq, seqBase));
    return stored.draft ? "resumed" : "started";
  }

  private alreadyRunning(id: string, seqBase: number): "already running" {
    this.running.get(id)?.reporter.raiseSeq(seqBase);
    return "already running";
  }

  /** Resumes every job that was unfinished when the node last stopped. Returns their ids. */
  async resumeUnfinished(): Promise<string[]> {
    const jobs = await this.opts.deps.checkpoints.unfinished();
    for (const stored of jobs) if (!this.running.has(stored.job.id)) this.launch(stored.job, stored.draft, stored.eventSeq);
    return jobs.map((j) => j.job.id);
  }

  cancel(id: string): boolean {
    const job = this.running.get(id);
    if (!job) return false;
    job.controller.abort(new Error("canceled"));
    return true;
  }

  /** Stops the job without reporting it (the edge gave it to another node); it stays resumable here. */
  release(id: string): boolean {
    const job = this.running.get(id);
    if (!job) return false;
    job.controller.abort(new NodeShutdown("released by the edge"));
    return true;
  }

  /** Resolves when the job (if running) has finished and reported. */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.done;
  }

  /** Stops every job without reporting them canceled: they resume when the node comes back. */
  async close(): Promise<void> {
    this.shutdown.abort();
    for (const job of this.running.values()) job.controller.abort(new NodeShutdown("node shutting down"));
    await Promise.allSettled([...this.running.values()].map((j) => j.done));
  }

  private launch(job: NodeJob, draft: EntryDraft | null, eventSeq: number): void {
    const controller = new AbortController();
    const { checkpoints } = this.opts.deps;
    const reporter = new EventReporter({
      callbackUrl: job.callback_url,
      secret: this.opts.secret,
      startSeq: eventSeq,
      persistSeq: (seq) => checkpoints.setEventSeq(job.id, seq),
      signal: this.shutdown.signal,
      onCanceled: () => controller.abort(new Error("canceled")),
      onReassigned: () => controller.abort(new NodeShutdown("reassigned to another node")),
    });
    const done = this.run(job, draft, reporter, controller).finally(() => this.running.delete(job.id));
    this.running.set(job.id, { controller, done, reporter });
  }

  private async run(job: NodeJob, draft: EntryDraft | null, reporter: EventReporter, controller: AbortController): Promise<void> {
    const { checkpoints } = this.opts.deps;
    const log = this.opts.log ?? (() => undefined);
    let last: Progress = { status: "queued", step: "", progress: 0, words: 0, sectionsDone: 0, sectionsTotal: 0, tokens: 0, etaSeconds: null };
    try {
      const result = await runPipeline(
        { id: job.id, subject: job.subject, tier: job.tier, category: job.category, seed: job.seed },
        this.opts.deps,
        {
          signal: controller.signal,
          draft,
          onProgress: (p) => {
            last = p;
            reporter.send({ type: "progress", ...progressFields(p) }).catch((e: Error) => log(`job ${job.id}: ${e.message}`));
          },
        },
      );
      await this.opts.onFinished?.(job, result.entry).catch((e: Error) => log(`job ${job.id}: after finishing: ${e.message}`));
      // The job is marked ended only once the edge has its result: a node that stops before that
      // resumes the job (from its checkpoints, with nothing left to write) and reports it again.
      try {
        await reporter.send({
          type: "finished",
          ...progressFields({ ...last, status: result.status, step: result.status === "succeeded" ? "finished" : "needs review", progress: 1, words: result.entry.words, etaSeconds: 0 }),
          entry: result.entry,
        });
      } catch (reportError) {
        const refused = (reportError as Error).message.startsWith("edge refused");
        log(`job ${job.id}: ${(reportError as Error).message}${refused ? "" : "; it stays resumable"}`);
        if (!refused) return;
      }
      await checkpoints.setStatus(job.id, result.status);
    } catch (error) {
      const reason = controller.signal.reason;
      if (controller.signal.aborted && reason instanceof NodeShutdown) return; // resumes on restart
      try {
        if (controller.signal.aborted) {
          await checkpoints.setStatus(job.id, "canceled");
          await reporter.send({ type: "canceled", ...progressFields({ ...last, status: "canceled", step: "canceled" }) });
        } else {
          log(`job ${job.id} failed: ${(error as Error).stack ?? String(error)}`);
          await checkpoints.setStatus(job.id, "failed");
          await reporter.send({
            type: "failed",
            ...progressFields({ ...last, status: "failed", step: "failed" }),
            error: { code: "generation_failed", message: (error as Error).message.slice(0, 2000) },
          });
        }
      } catch (reportError) {
        log(`job ${job.id}: ${(reportError as Error).message}`);
      }
    }
  }
}
