// What the pipeline needs from the inference engine: completions or chat turns, token counts, the
// context size and how the model wants to be prompted. The engine (gpu-node/engine) provides it;
// the pipeline depends on this much and no more.
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

/** Runs a fitted prompt the way it was built (a completion or a chat turn), in an `llm.generate` span. */
export function generate(generator: TextGenerator, prompt: FittedPrompt, params: Omit<CompletionRequest, "prompt">, scope: TraceScope): Promise<CompletionResult> {
  return inSpan(scope, "llm.generate", { "opus.prompt_style": prompt.kind === "chat" ? "chat" : "completion", "gen_ai.request.max_tokens": params.maxTokens }, async (_, span) => {
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
