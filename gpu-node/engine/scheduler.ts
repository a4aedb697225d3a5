// Admission control: a bounded priority queue (S before A before B, first come first served within a
// tier) that hands out context sequences. It triggers model preparation and loads, and marks busy models
// as draining when an earlier request needs their memory, so no request starves behind later arrivals.
import type { LlamaContextSequence } from "node-llama-cpp";
import { tiers, type Tier } from "../../shared/api/tier.ts";
import { EngineClosedError, EngineError, ModelLoadError, QueueFullError, QueueTimeoutError } from "./errors.ts";
import type { EngineMetrics } from "./metrics.ts";
import type { LoadedModel } from "./model-loader.ts";
import type { ModelPool, PooledModel } from "./model-pool.ts";

/** A request's place in the queue: its entry's tier (S first). */
export type Priority = Tier;
const rank: Record<Priority, number> = { S: 0, A: 1, B: 2 };

export type Lease = {
  model: PooledModel;
  loaded: LoadedModel;
  sequence: LlamaContextSequence;
  waitedMs: number;
  /** Returns the sequence to the pool. Idempotent. */
  release(): void;
};

type Waiter = {
  order: number;
  model: PooledModel;
  priority: Priority;
  enqueuedAt: number;
  /** False for a preload: it waits for the model only. */
  wantsSequence: boolean;
  /** Health checks, preloads and entries' requests do not count toward queue.maxWaiting. */
  limited: boolean;
  settled: boolean;
  grant: (sequence: LlamaContextSequence | null) => void;
  fail: (error: unknown) => void;
};

export type AcquireOptions = {
  priority: Priority;
  signal?: AbortSignal | undefined;
  /** Longest wait for a sequence; queue.maxWaitMs caps it unless `uncapped`. Null: no limit (an entry's request). */
  timeoutMs: number | null;
  /** Counts toward queue.maxWaiting (requests do; health checks, preloads and entries' requests do not). */
  limited?: boolean;
  /** Explicit preloads may take as long as a model load takes, past queue.maxWaitMs. */
  uncapped?: boolean;
};

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("The operation was aborted", "AbortError");
}

export class Scheduler {
  private queue: Waiter[] = [];
  private order = 0;
  private closed = false;
  private pumping = false;
  private pumpAgain = false;
  /** Running average of how long a request holds a sequence, for Retry-After. */
  private averageServiceMs = 5_000;

  constructor(
    private readonly pool: ModelPool,
    private readonly options: { maxWaiting: number; maxWaitMs: number },
    private readonly metrics: EngineMetrics,
  ) {}

  get depth(): number {
    return this.queue.length;
  }

  depthOf(model: PooledModel): number {
    return this.queue.filter((w) => w.model === model).length;
  }

  /** Seconds until a slot is likely free: waiting requests times average service time, over all sequences. */
  retryAfterSeconds(): number {
    let slots = 0;
    for (const model of this.pool.models.values()) if (model.state === "loaded") slots += model.prepared?.plan.sequences.value ?? 1;
    const ahead = this.queue.filter((w) => w.limited).length + 1;
    const seconds = Math.ceil((ahead * this.averageServiceMs) / Math.max(1, slots) / 1000);
    return Math.min(600, Math.max(1, seconds));
  }

  recordServiceTime(ms: number): void {
    this.averageServiceMs = this.averageServiceMs * 0.8 + ms * 0.2;
  }

  /** Waits for a free sequence of `model`, loading (and evicting for) it as needed. */
  acquire(model: PooledModel, options: AcquireOptions): Promise<Lease> {
    return this.enqueue(model, options, true).then((granted) => granted as Lease);
  }

  /** Waits until `model` is loaded, without taking a sequence (preload). */
  ensureLoaded(model: PooledModel, options: AcquireOptions): Promise<LoadedModel> {
    return this.enqueue(model, { ...options, limited: false, uncapped: true }, false).then(() => {
      if (!model.loaded) throw new ModelLoadError(model.id, new Error("the model was unloaded again before use"));
      return model.loaded;
    });
  }

  private enqueue(model: PooledModel, options: AcquireOptions, wantsSequence: boolean): Promise<Lease | null> {
    if (this.closed) return Promise.reject(new EngineClosedError());
    if (options.signal?.aborted) return Promise.reject(abortReason(options.signal));
    return new Promise<Lease | null>((resolve, reject) => {
      const enqueuedAt = performance.now();
      const waitMs = options.timeoutMs === null ? null : options.uncapped ? options.timeoutMs : Math.min(options.timeoutMs, this.options.maxWaitMs);
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => settle(() => reject(abortReason(options.signal!)));
      const settle = (then: () => void) => {
        if (waiter.settled) return;
        waiter.settled = true;
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener("abort", onAbort);
        this.queue = this.queue.filter((w) => w !== waiter);
        this.updateDepth();
        then();
      };
      const waiter: Waiter = {
        order: this.order++,
        model,
        priority: options.priority,
        enqueuedAt,
        wantsSequence,
        limited: options.limited ?? true,
        settled: false,
        grant: (sequence) =>
          settle(() => {
            const waitedMs = performance.now() - enqueuedAt;
            this.metrics.queueWait.observe({ priority: options.priority }, waitedMs / 1000);
            if (!sequence) return resolve(null);
            resolve(this.lease(model, sequence, waitedMs));
          }),
        fail: (error) => settle(() => reject(error)),
      };
      if (waitMs !== null) {
        timer = setTimeout(() => {
          const waitedMs = performance.now() - enqueuedAt;
          waiter.fail(new QueueTimeoutError(waitedMs, this.retryAfterSeconds()));
        }, waitMs);
      }
      options.signal?.addEventListener("abort", onAbort, { once: true });
      this.insert(waiter);
      this.pump();
      // Still waiting after one pass, and the queue is over its bound: refuse now rather than later.
      if (!waiter.settled && waiter.limited && this.queue.filter((w) => w.limited).length > this.options.maxWaiting) {
        const waiting = this.queue.filter((w) => w.limited).length - 1;
        waiter.fail(new QueueFullError(waiting, this.retryAfterSeconds()));
      }
    });
  }

  private insert(waiter: Waiter): void {
    const index = this.queue.findIndex((w) => rank[w.priority] > rank[waiter.priority]);
    if (index < 0) this.queue.push(waiter);
    else this.queue.splice(index, 0, waiter);
    this.updateDepth();
  }

  private updateDepth(): void {
    for (const priority of tiers) this.metrics.queueDepth.set({ priority }, this.queue.filter((w) => w.priority === priority && w.wantsSequence).length);
  }

  private lease(model: PooledModel, sequence: LlamaContextSequence, waitedMs: number): Lease {
    const loaded = model.loaded!;
    model.active++;
    model.lastUsedAt = Date.now();
    this.metrics.activeSequences.set({ model: model.id }, model.active);
    let released = false;
    return {
      model,
      loaded,
      sequence,
      waitedMs,
      release: () => {
        if (released) return;
        released = true;
        model.active--;
        model.lastUsedAt = Date.now();
        if (model.loaded === loaded && !sequence.disposed) loaded.freeSequences.push(sequence);
        this.metrics.activeSequences.set({ model: model.id }, model.active);
        this.pump();
      },
    };
  }

  /** Hands out what can be handed out now, in queue order. Re-entrant calls fold into one more pass. */
  pump(): void {
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pumpOnce();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private pumpOnce(): void {
    // Models whose memory an earlier request is waiting for: later requests must not keep them busy.
    const draining = new Set<PooledModel>();
    for (const waiter of [...this.queue]) {
      if (waiter.settled) continue;
      const model = waiter.model;
      if (model.state === "loaded" && model.loaded) {
        if (!waiter.wantsSequence) waiter.grant(null);
        else if (!draining.has(model)) {
          const sequence = model.loaded.freeSequences.pop();
          if (sequence) waiter.grant(sequence);
        }
        continue;
      }
      if (model.state !== "unloaded") continue;
      if (!model.prepared) {
        if (!model.preparing) {
          this.pool.prepare(model).then(
            () => this.pump(),
            (error: unknown) => this.failModel(model, error),
          );
        }
        continue;
      }
      const decision = this.pool.decideLoad(model);
      if (decision.kind === "fits") {
        this.pool.load(model, decision.evict).then(
          () => this.pump(),
          (error: unknown) => this.failModel(model, error),
        );
      } else {
        for (const busy of decision.by) draining.add(busy);
      }
    }
  }

  private failModel(model: PooledModel, error: unknown): void {
    const typed = error instanceof EngineError ? error : new ModelLoadError(model.id, error);
    for (const waiter of [...this.queue]) if (waiter.model === model) waiter.fail(typed);
    this.pump();
  }

  close(): void {
    this.closed = true;
    for (const waiter of [...this.queue]) waiter.fail(new EngineClosedError());
  }
}
