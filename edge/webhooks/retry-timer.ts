// The Node entry's timer for webhook retries: one timeout set for the earliest pending delivery, so
// that a retry leaves when it is due instead of at the next scheduled round (which made the
// documented 5 s come after 5 to 10 s). Workers have no timers that outlive a request: there the
// Cron Trigger sends what is due (see docs/delivery.md).
import type { EdgeDb } from "../db/client.ts";

/** setTimeout's largest delay (about 24.8 days); a later wake-up simply re-arms. */
const maxDelayMs = 2 ** 31 - 1;

export class RetryTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private armedAt: number | undefined;
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  /** `pass` sends what is due and answers when the next pending delivery is due (undefined: none). */
  constructor(private readonly pass: () => Promise<number | undefined>) {}

  /** Wakes at `at` (ms since epoch) unless already set to wake earlier. */
  arm(at: number): void {
    if (this.stopped || (this.armedAt !== undefined && this.armedAt <= at)) return;
    clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = setTimeout(() => this.fire(), Math.min(maxDelayMs, Math.max(0, at - Date.now())));
    // Like the scheduler's timer: pending retries do not keep a process alive that is otherwise done.
    this.timer.unref();
  }

  private fire(): void {
    this.armedAt = undefined;
    this.timer = undefined;
    if (this.stopped) return;
    const run = this.pass()
      .then((next) => {
        if (next !== undefined) this.arm(next);
      })
      .catch((error: Error) => {
        if (!this.stopped) console.error("webhook retries failed:", error.message);
      })
      .finally(() => this.running.delete(run));
    this.running.add(run);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.running]);
  }
}

// One timer per database handle: the Node entry registers its own; a Worker's per-request handles
// never have one, and several edges in one process (tests) do not share theirs.
const timers = new WeakMap<EdgeDb, RetryTimer>();

export function registerRetryTimer(db: EdgeDb, timer: RetryTimer): void {
  timers.set(db, timer);
}

export function unregisterRetryTimer(db: EdgeDb): void {
  timers.delete(db);
}

export function retryTimerOf(db: EdgeDb): RetryTimer | undefined {
  return timers.get(db);
}
