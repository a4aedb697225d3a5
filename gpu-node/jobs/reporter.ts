// Sends one job's events to the edge, in order, each with the next sequence number. A failed post
// is retried with backoff, so a passing network fault loses no event; the edge ignores repeats.
import { NodeEventAck, type NodeEvent } from "../../shared/api/node-protocol.ts";
import { postSigned } from "../../shared/api/signing.ts";

type EventBody = NodeEvent extends infer E ? (E extends NodeEvent ? Omit<E, "seq"> : never) : never;

export type ReporterOptions = {
  callbackUrl: string;
  secret: string;
  /** Last sequence number already sent (a resumed job continues above it). */
  startSeq?: number;
  /** Stores each sequence number before its event leaves, so a restart never reuses one. */
  persistSeq?: (seq: number) => Promise<void>;
  attempts?: number;
  baseDelayMs?: number;
  /** Longest wait between two attempts: with `attempts` it sets how long an edge outage is bridged. */
  maxDelayMs?: number;
  /** Ends the retries early (the node is shutting down; the job resumes when it comes back). */
  signal?: AbortSignal;
  onCanceled?: () => void;
  /** The edge gave the job to another node: stop it without reporting. */
  onReassigned?: () => void;
};

export class EventReporter {
  private seq: number;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: ReporterOptions) {
    this.seq = opts.startSeq ?? 0;
  }

  /** Numbers the next events above `seq` (the edge already applied events up to it). */
  raiseSeq(seq: number): void {
    this.seq = Math.max(this.seq, seq);
  }

  /** Queues an event; resolves once the edge acknowledged it or every attempt failed. */
  send(event: EventBody): Promise<void> {
    const seq = ++this.seq;
    const next = this.chain.then(async () => {
      await this.opts.persistSeq?.(seq);
      await this.post({ ...event, seq } as NodeEvent);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async post(event: NodeEvent): Promise<void> {
    // About two minutes of retries by default, so an edge restart loses no event.
    const attempts = this.opts.attempts ?? 20;
    const base = this.opts.baseDelayMs ?? 250;
    const maxDelay = this.opts.maxDelayMs ?? 10_000;
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      try {
        const res = await postSigned(this.opts.callbackUrl, this.opts.secret, event, { signal: AbortSignal.timeout(15_000) });
        if (res.ok) {
          const ack = NodeEventAck.safeParse(await res.json());
          if (ack.success && ack.data.canceled) this.opts.onCanceled?.();
          if (ack.success && ack.data.reassigned) this.opts.onReassigned?.();
          return;
        }
        if (res.status === 404 || res.status === 401 || res.status === 422) {
          // The edge will never accept this event: retrying cannot help.
          throw new Error(`edge refused event ${event.seq} (${event.type}) with ${res.status}`);
        }
        lastError = new Error(`edge answered ${res.status}`);
      } catch (error) {
        if (error instanceof Error && error.message.startsWith("edge refused")) throw error;
        lastError = error;
      }
      if (this.opts.signal?.aborted) break;
      await new Promise<void>((r) => {
        const timer = setTimeout(done, Math.min(maxDelay, base * 2 ** attempt) * (0.5 + Math.random() / 2));
        function done() {
          clearTimeout(timer);
          r();
        }
        this.opts.signal?.addEventListener("abort", done, { once: true });
      });
      if (this.opts.signal?.aborted) break;
    }
    throw new Error(`could not deliver event ${event.seq} (${event.type}): ${String(lastError)}`);
  }
}
