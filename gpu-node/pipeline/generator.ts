// What the pipeline needs from the inference engine: completions, token counts and the context
// size. The engine (gpu-node/engine) provides it; the pipeline depends on this much and no more.
import type { CompletionRequest, CompletionResult } from "../engine/request.ts";

export type { CompletionRequest, CompletionResult };

export interface TextGenerator {
  complete(request: CompletionRequest): Promise<CompletionResult>;
  /** Tokens `text` takes for the model (to fit prompts into its context). */
  countTokens(text: string, model?: string): number | Promise<number>;
  /** The context size, in tokens, each sequence of the model has. */
  contextSize(model?: string): number | Promise<number>;
}
