// What the pipeline needs from the inference engine: completions or chat turns, token counts, the
// context size and how the model wants to be prompted. The engine (gpu-node/engine) provides it;
// the pipeline depends on this much and no more.
import type { ChatRequest, CompletionRequest, CompletionResult } from "../engine/request.ts";
import type { FittedPrompt, PromptStyle } from "./prompt.ts";

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

/** Runs a fitted prompt the way it was built: as a completion or as a chat turn. */
export function generate(generator: TextGenerator, prompt: FittedPrompt, params: Omit<CompletionRequest, "prompt">): Promise<CompletionResult> {
  return prompt.kind === "chat" ? generator.chat({ ...params, messages: prompt.messages }) : generator.complete({ ...params, prompt: prompt.prompt });
}
