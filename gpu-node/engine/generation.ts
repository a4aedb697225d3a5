// One generation on a leased context sequence: a prompt completion (LlamaCompletion) or a chat turn
// (LlamaChat with the model's chat wrapper). Stops on end of text, a stop sequence, maxTokens or the
// abort signal; an abort returns what was generated so far and frees the sequence at once.
import {
  LlamaChat,
  LlamaCompletion,
  TokenBias,
  type ChatHistoryItem,
  type ChatWrapper,
  type LlamaContextSequence,
  type LlamaGrammar,
} from "node-llama-cpp";
import { StopDetector } from "./stop-detector.ts";

export type ChatMessage = { role: "system" | "user" | "assistant"; content: string };

export type GenerationInput = { kind: "complete"; prompt: string } | { kind: "chat"; messages: ChatMessage[]; chatWrapper: ChatWrapper };

export type GenerationParams = {
  maxTokens: number;
  temperature: number;
  topP: number;
  seed?: number | undefined;
  stop: string[];
  grammar?: LlamaGrammar | undefined;
  signal: AbortSignal;
  /** Never end at an end-of-text token (health checks want a real token). */
  forbidEndOfText?: boolean;
  onText?: ((text: string) => void) | undefined;
  onTokens?: ((count: number) => void) | undefined;
  /** Evaluate the prompt from a clean sequence instead of reusing a matching prefix. */
  freshState?: boolean;
};

export type StopReason = "eos" | "stop" | "maxTokens" | "abort";

export type GenerationOutput = { text: string; tokens: number; stopReason: StopReason };

function mapStopReason(reason: string): StopReason {
  switch (reason) {
    // The model's own end: an end-of-text token, its chat template's end of turn, or a finished grammar.
    case "eogToken":
    case "stopGenerationTrigger":
      return "eos";
    case "customStopTrigger":
      return "stop";
    case "maxTokens":
      return "maxTokens";
    default:
      return "abort";
  }
}

export function toChatHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  return messages.map((m): ChatHistoryItem => {
    if (m.role === "system") return { type: "system", text: m.content };
    if (m.role === "user") return { type: "user", text: m.content };
    return { type: "model", response: [m.content] };
  });
}

export async function generateOnSequence(sequence: LlamaContextSequence, input: GenerationInput, params: GenerationParams): Promise<GenerationOutput> {
  let tokens = 0;
  if (params.freshState) await sequence.clearHistory();
  const tokenBias = params.forbidEndOfText ? endOfTextBias(sequence) : undefined;
  const stopper = new AbortController();
  const detector = new StopDetector(params.stop, (text) => params.onText?.(text));
  const signal = AbortSignal.any([params.signal, stopper.signal]);
  const finish = (stopReason: StopReason): GenerationOutput => {
    detector.finish();
    if (detector.stopped) return { text: detector.result, tokens, stopReason: "stop" };
    return { text: detector.result, tokens, stopReason };
  };
  const common = {
    maxTokens: params.maxTokens,
    temperature: params.temperature,
    topP: params.topP,
    ...(params.seed !== undefined ? { seed: params.seed } : {}),
    ...(params.grammar ? { grammar: params.grammar } : {}),
    ...(tokenBias ? { tokenBias } : {}),
    signal,
    stopOnAbortSignal: true,
    onTextChunk: (chunk: string) => {
      if (detector.push(chunk)) stopper.abort();
    },
    onToken: (generated: readonly unknown[]) => {
      tokens += generated.length;
      params.onTokens?.(generated.length);
    },
  };
  try {
    if (input.kind === "complete") {
      const completion = new LlamaCompletion({ contextSequence: sequence });
      try {
        const result = await completion.generateCompletionWithMeta(input.prompt, {
          ...common,
          // Fill the context and stop, rather than silently forgetting the start of the prompt.
          disableContextShift: true,
        });
        return finish(mapStopReason(result.metadata.stopReason));
      } finally {
        completion.dispose({ disposeSequence: false });
      }
    }
    const chat = new LlamaChat({ contextSequence: sequence, chatWrapper: input.chatWrapper });
    try {
      const result = await chat.generateResponse(toChatHistory(input.messages), common);
      return finish(mapStopReason(result.metadata.stopReason));
    } finally {
      chat.dispose({ disposeSequence: false });
    }
  } catch (error) {
    // Aborted before the first token (during prompt evaluation): node-llama-cpp throws the reason.
    if (stopper.signal.aborted && !params.signal.aborted) return finish("stop");
    if (params.signal.aborted) return finish("abort");
    throw error;
  }
}

function endOfTextBias(sequence: LlamaContextSequence): TokenBias {
  const model = sequence.model;
  const bias = new TokenBias(model.tokenizer);
  if (model.tokens.eos !== null) bias.set(model.tokens.eos, "never");
  if (model.tokens.eot !== null) bias.set(model.tokens.eot, "never");
  return bias;
}
