// Runs the jobs the edge hands to this node, one AbortController each, reporting progress back.
import type { NodeJob } from "../../shared/api/node-protocol.ts";
import type { TextGenerator } from "../pipeline/generator.ts";
import { writeEntry, type Progress } from "../pipeline/write-entry.ts";
import { EventReporter } from "./reporter.ts";

export type RunnerOptions = { generator: TextGenerator; secret: string; log?: (line: string) => void };

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
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(private readonly opts: RunnerOptions) {}

  get active(): number {
    return this.running.size;
  }

  /** Starts the job unless it is already running here (a repeated dispatch is harmless). */
  start(job: NodeJob): "started" | "already running" {
    if (this.running.has(job.id)) return "already running";
    const controller = new AbortController();
    const done = this.run(job, controller).finally(() => this.running.delete(job.id));
    this.running.set(job.id, { controller, done });
    return "started";
  }

  cancel(id: string): boolean {
    const job = this.running.get(id);
    if (!job) return false;
    job.controller.abort(new Error("canceled"));
    return true;
  }

  /** Resolves when the job (if running) has finished and reported. */
  async settled(id: string): Promise<void> {
    await this.running.get(id)?.done;
  }

  async close(): Promise<void> {
    for (const job of this.running.values()) job.controller.abort(new Error("node shutting down"));
    await Promise.allSettled([...this.running.values()].map((j) => j.done));
  }

  private async run(job: NodeJob, controller: AbortController): Promise<void> {
    const reporter = new EventReporter({ callbackUrl: job.callback_url, secret: this.opts.secret, onCanceled: () => controller.abort(new Error("canceled")) });
    let last: Progress = { status: "queued", step: "", progress: 0, words: 0, sectionsDone: 0, sectionsTotal: 0, tokens: 0, etaSeconds: null };
    try {
      const entry = await writeEntry(
        { id: job.id, subject: job.subject, tier: job.tier, category: job.category, seed: job.seed },
        {
          generator: this.opts.generator,
          signal: controller.signal,
          onProgress: (p) => {
            last = p;
            reporter.send({ type: "progress", ...progressFields(p) }).catch((e: Error) => this.opts.log?.(`job ${job.id}: ${e.message}`));
          },
        },
      );
      await reporter.send({
        type: "finished",
        ...progressFields({ ...last, status: "succeeded", step: "finished", progress: 1, words: entry.words, etaSeconds: 0 }),
        entry,
      });
    } catch (error) {
      try {
        if (controller.signal.aborted) {
          await reporter.send({ type: "canceled", ...progressFields({ ...last, status: "canceled", step: "canceled" }) });
        } else {
          this.opts.log?.(`job ${job.id} failed: ${(error as Error).stack ?? String(error)}`);
          await reporter.send({
            type: "failed",
            ...progressFields({ ...last, status: "failed", step: "failed" }),
            error: { code: "generation_failed", message: (error as Error).message.slice(0, 2000) },
          });
        }
      } catch (reportError) {
        this.opts.log?.(`job ${job.id}: ${(reportError as Error).message}`);
      }
    }
  }
}
