// A plain node-llama-cpp generator: one model, one context, N parallel sequences.
import { getLlama, LlamaCompletion, LlamaLogLevel, type LlamaContext, type LlamaContextSequence, type LlamaModel } from "node-llama-cpp";
import type { CompletionRequest, CompletionResult, TextGenerator } from "./generator.ts";

export type DirectGeneratorOptions = { modelPath: string; threads: number; sequences: number; contextSize?: number };

export async function createDirectGenerator(opts: DirectGeneratorOptions): Promise<TextGenerator & { close(): Promise<void> }> {
  const llama = await getLlama({ gpu: "auto", logLevel: LlamaLogLevel.error });
  const model: LlamaModel = await llama.loadModel({ modelPath: opts.modelPath });
  const context: LlamaContext = await model.createContext({
    sequences: opts.sequences,
    threads: opts.threads,
    contextSize: opts.contextSize ?? Math.min(2048, model.trainContextSize),
  });
  const free: LlamaContextSequence[] = [];
  for (let i = 0; i < opts.sequences; i++) free.push(context.getSequence());
  const waiting: ((s: LlamaContextSequence) => void)[] = [];
  const acquire = () => new Promise<LlamaContextSequence>((resolve) => (free.length > 0 ? resolve(free.pop()!) : waiting.push(resolve)));
  const release = (s: LlamaContextSequence) => {
    const next = waiting.shift();
    if (next) next(s);
    else free.push(s);
  };

  return {
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const sequence = await acquire();
      const started = performance.now();
      let first = 0;
      let tokens = 0;
      try {
        await sequence.clearHistory();
        const completion = new LlamaCompletion({ contextSequence: sequence });
        const grammar = req.jsonSchema ? await llama.createGrammarForJsonSchema(req.jsonSchema as never) : undefined;
        const out = await completion.generateCompletionWithMeta(req.prompt, {
          maxTokens: req.maxTokens,
          temperature: req.temperature ?? 0.8,
          topP: req.topP,
          seed: req.seed,
          grammar,
          customStopTriggers: req.stop,
          signal: req.signal,
          stopOnAbortSignal: true,
          onToken: (t) => {
            if (tokens === 0) first = performance.now();
            tokens += t.length;
          },
          onTextChunk: req.onToken,
        });
        const reason = out.metadata.stopReason;
        return {
          text: out.response,
          tokens,
          cached: false,
          stopReason: reason === "abort" ? "abort" : reason === "maxTokens" ? "maxTokens" : reason === "eogToken" ? "eos" : "stop",
          timeToFirstTokenMs: first ? first - started : 0,
          durationMs: performance.now() - started,
        };
      } finally {
        release(sequence);
      }
    },
    countTokens(text: string) {
      return model.tokenize(text).length;
    },
    contextSize() {
      return context.contextSize;
    },
    async close() {
      await context.dispose();
      await model.dispose();
    },
  };
}
