// Running one generation request: the seeded-answer cache first, then a sequence from the scheduler,
// the generation on it under the request's timeout, and the metrics of how it went. Holds the
// requests generating now, so closing the engine can stop them at their next token.
import { randomInt } from "node:crypto";
import type { NodeConfig } from "./config/schema.ts";
import { EngineClosedError, EngineError, GenerationTimeoutError, PromptTooLongError, QueueFullError, QueueTimeoutError } from "./errors.ts";
import { generateOnSequence, type GenerationInput, type GenerationOutput } from "./generation.ts";
import type { JsonGrammars } from "./grammars.ts";
import type { EngineMetrics, RequestOutcome } from "./metrics.ts";
import type { PooledModel } from "./model-pool.ts";
import type { CompletionRequest, CompletionResult } from "./request.ts";
import type { Lease, Scheduler } from "./scheduler.ts";
import type { AnswerSlot, RequestInput, SeededAnswers } from "./seeded-answers.ts";
import type { ThreadTuner } from "./thread-tuner.ts";

/** How the engine's own requests differ from callers' (health checks). */
export type InternalOptions = { forbidEndOfText?: boolean; limited?: boolean; noCache?: boolean };

export type RequestsDeps = {
  config: NodeConfig;
  scheduler: Scheduler;
  metrics: EngineMetrics;
  grammars: JsonGrammars;
  /** Null when features.responseCache is off. */
  answers: SeededAnswers | null;
  /** Follows each model's decoding speed in service (and re-calibrates its threads when it collapses). */
  threads?: ThreadTuner;
};

export class Requests {
  private readonly generating = new Set<AbortController>();
  private closed = false;

  constructor(private readonly deps: RequestsDeps) {}

  count(model: PooledModel | null, outcome: RequestOutcome): void {
    this.deps.metrics.requests.inc({ model: model?.id ?? "unknown", outcome });
  }

  async run(model: PooledModel, input: RequestInput, request: Omit<CompletionRequest, "prompt">, internal: InternalOptions = {}): Promise<CompletionResult> {
    if (this.closed) throw new EngineClosedError();
    const { config, answers } = this.deps;
    const start = performance.now();
    const timeoutMs = request.timeoutMs ?? config.generation.requestTimeoutMs;
    const temperature = request.temperature ?? config.generation.temperature;
    const topP = request.topP ?? config.generation.topP;
    const stop = request.stop ?? [];
    if (request.signal?.aborted) {
      this.count(model, "abort");
      return this.aborted(model, start);
    }

    // The cache answers seeded requests only: without a seed, sampling must stay fresh.
    let slot: AnswerSlot | null = null;
    if (answers && request.seed !== undefined && !internal.noCache) {
      slot = await answers.slotFor(model, input, { maxTokens: request.maxTokens, temperature, topP, seed: request.seed, stop, jsonSchema: request.jsonSchema ?? null });
      const hit = await answers.find(slot);
      if (hit) {
        request.onToken?.(hit.text);
        this.count(model, "cached");
        const elapsed = performance.now() - start;
        const result: CompletionResult = { ...hit, cached: true, timeToFirstTokenMs: elapsed, durationMs: elapsed, model: model.id, queueMs: 0 };
        if (request.jsonSchema && hit.stopReason !== "maxTokens") {
          const parsed = await this.deps.grammars.parse(request.jsonSchema, hit.text);
          if (parsed.ok) result.json = parsed.value;
        }
        return result;
      }
    }

    const grammar = request.jsonSchema ? await this.deps.grammars.get(request.jsonSchema) : undefined;
    let lease: Lease;
    try {
      lease = await this.deps.scheduler.acquire(model, {
        priority: request.priority ?? "B",
        signal: request.signal,
        // An entry's request waits its turn however long; the queue's limits are for callers that can retry.
        timeoutMs: request.patient ? null : Math.max(1, timeoutMs - (performance.now() - start)),
        limited: request.patient ? false : (internal.limited ?? true),
      });
    } catch (error) {
      if (request.signal?.aborted) {
        this.count(model, "abort");
        return this.aborted(model, start);
      }
      this.count(model, error instanceof QueueFullError ? "queue_full" : error instanceof QueueTimeoutError ? "queue_timeout" : "error");
      throw error;
    }

    const controller = new AbortController();
    this.generating.add(controller);
    // A patient request's time limit starts with its sequence: the wait was not its own doing.
    const remaining = request.patient ? timeoutMs : timeoutMs - (performance.now() - start);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new GenerationTimeoutError(timeoutMs, "", 0));
    }, Math.max(1, remaining));
    const signal = request.signal ? AbortSignal.any([request.signal, controller.signal]) : controller.signal;
    let firstTokenAt: number | null = null;
    let output: GenerationOutput;
    const generationStart = performance.now();
    try {
      if (input.kind === "complete") {
        // +1: the BOS token node-llama-cpp adds; a prompt must leave room to generate at least one token.
        const promptTokens = lease.loaded.model.tokenize(input.prompt).length + 1;
        if (promptTokens >= lease.loaded.contextSize) throw new PromptTooLongError(promptTokens, lease.loaded.contextSize, model.id);
      }
      const generationInput: GenerationInput = input.kind === "complete" ? input : { kind: "chat", messages: input.messages, chatWrapper: lease.loaded.chatWrapper };
      output = await generateOnSequence(lease.sequence, generationInput, {
        maxTokens: request.maxTokens,
        temperature,
        topP,
        // node-llama-cpp's default seed is the current second: unseeded requests within one second would
        // sample identically. A fresh random seed keeps unseeded sampling independent.
        seed: request.seed ?? randomInt(2 ** 32),
        stop,
        grammar,
        signal,
        forbidEndOfText: internal.forbidEndOfText ?? false,
        freshState: lease.loaded.freshState,
        onText: request.onToken,
        onTokens: (n) => {
          firstTokenAt ??= performance.now();
          model.lastTokenAt = Date.now();
          this.deps.metrics.tokensGenerated.inc({ model: model.id }, n);
        },
      });
    } catch (error) {
      this.count(model, error instanceof EngineError && error.httpStatus === 400 ? "invalid" : "error");
      throw error;
    } finally {
      clearTimeout(timer);
      this.generating.delete(controller);
      lease.release();
      this.deps.scheduler.recordServiceTime(performance.now() - generationStart);
    }

    const end = performance.now();
    if (output.stopReason === "abort" && timedOut && !request.signal?.aborted) {
      this.count(model, "timeout");
      throw new GenerationTimeoutError(timeoutMs, output.text, output.tokens);
    }
    const result: CompletionResult = {
      text: output.text,
      tokens: output.tokens,
      cached: false,
      stopReason: output.stopReason,
      timeToFirstTokenMs: firstTokenAt === null ? end - start : firstTokenAt - start,
      durationMs: end - start,
      model: model.id,
      queueMs: lease.waitedMs,
    };
    this.observe(model, result, start, firstTokenAt, end);
    // Under a grammar the speed is the grammar's, not the threads'.
    if (!grammar && firstTokenAt !== null && output.tokens > 1) this.deps.threads?.observe(model, lease.loaded, { tokens: output.tokens - 1, ms: end - firstTokenAt });
    if (request.jsonSchema && output.stopReason !== "abort" && output.stopReason !== "maxTokens" && grammar) {
      try {
        result.json = grammar.parse(output.text);
      } catch {
        // Leave json unset: the caller sees text and stopReason.
      }
    }
    this.count(model, output.stopReason === "abort" ? "abort" : "ok");
    if (slot && answers && output.stopReason !== "abort") {
      await answers.keep(slot, model, { text: output.text, tokens: output.tokens, stopReason: output.stopReason });
    }
    return result;
  }

  /** Refuses new requests and stops those generating (at their next token). */
  close(): void {
    this.closed = true;
    for (const controller of this.generating) controller.abort(new EngineClosedError());
  }

  private aborted(model: PooledModel, start: number): CompletionResult {
    const durationMs = performance.now() - start;
    return { text: "", tokens: 0, cached: false, stopReason: "abort", timeToFirstTokenMs: durationMs, durationMs, model: model.id, queueMs: 0 };
  }

  private observe(model: PooledModel, result: CompletionResult, start: number, firstTokenAt: number | null, end: number): void {
    const { metrics } = this.deps;
    if (firstTokenAt !== null) {
      metrics.timeToFirstToken.observe({ model: model.id }, (firstTokenAt - start) / 1000);
      if (result.tokens > 1 && end > firstTokenAt) metrics.tokensPerSecond.observe({ model: model.id }, ((result.tokens - 1) * 1000) / (end - firstTokenAt));
    }
    metrics.requestDuration.observe({ model: model.id }, result.durationMs / 1000);
  }
}
