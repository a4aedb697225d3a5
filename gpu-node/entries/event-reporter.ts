// Sends one entry's events to its edge, in order, each with the next sequence number. A failed post
// is retried with backoff, so a passing network fault loses no event (the edge ignores repeats);
// after `giveUpAfterMs` of failures the event is undelivered, and the runner stops the entry rather
// than write on for an edge that does not hear it.
import { NodeEventAck, type NodeEvent } from "../../shared/api/node-protocol.ts";
import { postSigned } from "../../shared/api/signing.ts";

export type EventBody = NodeEvent extends infer E ? (E extends NodeEvent ? Omit<E, "seq"> : never) : never;

/** The edge answered that it will never take this event (unknown entry, bad signature, invalid event). */
export class EventRefused extends Error {
  constructor(
    readonly seq: number,
    readonly type: string,
    readonly httpStatus: number,
  ) {
    super(`edge refused event ${seq} (${type}) with ${httpStatus}`);
    this.name = "EventRefused";
  }
}

/** Every attempt failed for `giveUpAfterMs`: the edge is unreachable or failing. */
export class EventUndelivered extends Error {
  constructor(seq: number, type: string, lastError: unknown) {
    super(`could not deliver event ${seq} (${type}): ${String(lastError)}`);
    this.name = "EventUndelivered";
  }
}

export type ReporterOptions = {
  callbackUrl: string;
  /** Sent as the `traceparent` header of every event post: the edge's spans for them join the entry's trace. */
  traceparent?: string;
  secret: string;
  /** Last sequence number already sent (a resumed entry continues above it). */
  startSeq?: number;
  /** Stores each sequence number before its event leaves, so a restart never reuses one. */
  persistSeq?: (seq: number) => Promise<void>;
  /** How long one event is retried before it counts as undelivered (default two minutes). */
  giveUpAfterMs?: number;
  baseDelayMs?: number;
  /** Longest wait between two attempts. */
  maxDelayMs?: number;
  /** Ends the retries early (the node is shutting down; the entry resumes when it comes back). */
  signal?: AbortSignal;
  onCanceled?: () => void;
  /** The edge gave the entry to another node: stop it without reporting. */
  onReassigned?: () => void;
};

/** Waits `ms`, or less when `signal` aborts; the abort listener goes as soon as the wait ends. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

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

  /** Queues an event; resolves once the edge acknowledged it, rejects when it refused or never heard it. */
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
    const giveUpAt = Date.now() + (this.opts.giveUpAfterMs ?? 120_000);
    const base = this.opts.baseDelayMs ?? 250;
    const maxDelay = this.opts.maxDelayMs ?? 10_000;
    let lastError: unknown;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await postSigned(this.opts.callbackUrl, this.opts.secret, event, {
          signal: AbortSignal.timeout(15_000),
          ...(this.opts.traceparent ? { headers: { traceparent: this.opts.traceparent } } : {}),
        });
        if (res.ok) {
          const ack = NodeEventAck.safeParse(await res.json());
          if (ack.success && ack.data.canceled) this.opts.onCanceled?.();
          if (ack.success && ack.data.reassigned) this.opts.onReassigned?.();
          return;
        }
        await res.body?.cancel().catch(() => undefined);
        // The edge will never accept this event: retrying cannot help.
        if (res.status === 404 || res.status === 401 || res.status === 422) throw new EventRefused(event.seq, event.type, res.status);
        lastError = new Error(`edge answered ${res.status}`);
      } catch (error) {
        if (error instanceof EventRefused) throw error;
        lastError = error;
      }
      const delay = Math.min(maxDelay, base * 2 ** Math.min(attempt, 16)) * (0.5 + Math.random() / 2);
      if (this.opts.signal?.aborted || Date.now() + delay > giveUpAt) break;
      await pause(delay, this.opts.signal);
      if (this.opts.signal?.aborted) break;
    }
    throw new EventUndelivered(event.seq, event.type, lastError);
  }
}
