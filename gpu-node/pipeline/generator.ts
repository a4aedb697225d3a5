// What the pipeline needs from the inference engine: one completion call. The engine in
// gpu-node/engine implements it (pooling, batching, caching); the pipeline depends only on this.
export type CompletionRequest = {
  model?: string;
  prompt: string;
  maxTokens: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  stop?: string[];
  jsonSchema?: object;
  priority?: "S" | "A" | "B";
  signal?: AbortSignal;
  onToken?: (text: string) => void;
  timeoutMs?: number;
};

export type CompletionResult = {
  text: string;
  tokens: number;
  cached: boolean;
  stopReason: "eos" | "stop" | "maxTokens" | "abort";
  timeToFirstTokenMs: number;
  durationMs: number;
};

export interface TextGenerator {
  complete(request: CompletionRequest): Promise<CompletionResult>;
  /** Tokens `text` takes for the model (to fit prompts into its context). */
  countTokens(text: string, model?: string): number | Promise<number>;
  /** The context size, in tokens, each sequence of the model has. */
  contextSize(model?: string): number | Promise<number>;
}
