// What the pipeline needs from the inference engine: completions or chat turns, token counts, the
// context size and how the model wants to be prompted. The engine (gpu-node/engine) provides it;
// the pipeline depends on this much and no more. Every request the pipeline makes is an entry's
// (patient: it waits its turn), and a transient fault is retried here, with the reason recorded.
import { EngineError, GenerationTimeoutError } from "../engine/errors.ts";
import type { ChatRequest, CompletionRequest, CompletionResult } from "../engine/request.ts";
import type { FittedPrompt, PromptStyle } from "./prompt.ts";
import { inSpan, type TraceScope } from "./spans.ts";

export type { ChatRequest, CompletionRequest, CompletionResult };

export interface TextGenerator {
  complete(request: CompletionRequest): Promise<CompletionResult>;
  chat(request: ChatRequest): Promise<CompletionResult>;
  /** Tokens `text` takes for the model (to fit prompts into its context). */
  countTokens(text: string, model?: string): number | Promise<number>;
  /** The context size, in tokens, each sequence of the model has. */
  contextSize(model?: string): number | Promise<number>;
  /** "chat" for instruct models (a chat template), "completion" for base models. */
  promptStyle(model?: string): PromptStyle | Promise<PromptStyle>;
}

/** Engine faults that pass: a generation past its time limit (a loaded machine), a busy queue. */
const transientCodes = new Set(["generation_timeout", "queue_timeout", "queue_full"]);

/** Why `error` is worth another try, or null when it is not transient. */
export function transientReason(error: unknown): string | null {
  return error instanceof EngineError && transientCodes.has(error.code) ? `${error.code}: ${error.message}` : null;
}

/** How one generation is retried on a transient fault: how often, and where each retry is recorded. */
export type TransientRetries = {
  attempts: number;
  /** The step's key; retry n is recorded as `<key>/retry<n>`. */
  key: string;
  record: (key: string, reason: string) => Promise<void>;
};

/**
 * Runs a fitted prompt the way it was built (a completion or a chat turn), in an `llm.generate`
 * span. A transient fault is retried with the same seed (so the text is what an undisturbed run
 * writes) and, after a timeout, twice the time limit.
 */
export async function generate(
  generator: TextGenerator,
  prompt: FittedPrompt,
  params: Omit<CompletionRequest, "prompt">,
  scope: TraceScope,
  retries?: TransientRetries,
): Promise<CompletionResult> {
  let timeoutMs = params.timeoutMs;
  for (let retry = 0; ; retry++) {
    try {
      return await generateOnce(generator, prompt, { ...params, patient: true, ...(timeoutMs !== undefined ? { timeoutMs } : {}) }, scope);
    } catch (error) {
      const reason = transientReason(error);
      if (!reason || !retries || retry >= retries.attempts || params.signal?.aborted) throw error;
      await retries.record(`${retries.key}/retry${retry}`, reason);
      if (error instanceof GenerationTimeoutError) timeoutMs = error.timeoutMs * 2;
    }
  }
}

function generateOnce(generator: TextGenerator, prompt: FittedPrompt, params: Omit<CompletionRequest, "prompt">, scope: TraceScope): Promise<CompletionResult> {
  return inSpan(scope, "llm.generate", { "opus.prompt_style": prompt.kind, "gen_ai.request.max_tokens": params.maxTokens }, async (_, span) => {
    const result = await (prompt.kind === "chat" ? generator.chat({ ...params, messages: prompt.messages }) : generator.complete({ ...params, prompt: prompt.prompt }));
    span.setAttributes({
      "gen_ai.response.model": result.model,
      "gen_ai.usage.output_tokens": result.tokens,
      "opus.stop_reason": result.stopReason,
      "opus.cached": result.cached,
      "opus.queue_ms": Math.round(result.queueMs),
      "opus.time_to_first_token_ms": Math.round(result.timeToFirstTokenMs),
    });
    return result;
  });
}
