// One sustained measurement of decoding speed at a thread count: the sequences arranged as the engine
// arranges them (N contexts of one sequence, or one context of N), all decoding together for a window
// of time (and a few tokens at least, within a cap): bounded by time, not by tokens, so that a
// collapsing setting cannot stretch the calibration.
import { TokenBias, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from "node-llama-cpp";

export type Batching = "isolated" | "shared";
/** How the engine runs a model's sequences: N contexts of one sequence, or one context of N. */
export type SequenceLayout = { sequences: number; batching: Batching };

export type SustainedSpeed = { sequences: number; tokens: number; ms: number; tokensPerSecond: number };

const promptText = "Once upon a time";

function neverEndBias(model: LlamaModel): TokenBias {
  // The window measures decoding: an end-of-text token would end a sequence early.
  const bias = new TokenBias(model.tokenizer);
  if (model.tokens.eos !== null) bias.set(model.tokens.eos, "never");
  if (model.tokens.eot !== null) bias.set(model.tokens.eot, "never");
  return bias;
}

async function createLayout(model: LlamaModel, threads: number, sequences: number, batching: Batching, contextSize: number): Promise<{ contexts: LlamaContext[]; sequences: LlamaContextSequence[] }> {
  const contexts: LlamaContext[] = [];
  try {
    if (batching === "shared" || sequences === 1) {
      contexts.push(await model.createContext({ contextSize, sequences, threads, failedCreationRemedy: false }));
      return { contexts, sequences: Array.from({ length: sequences }, () => contexts[0]!.getSequence()) };
    }
    for (let i = 0; i < sequences; i++) contexts.push(await model.createContext({ contextSize, sequences: 1, threads, failedCreationRemedy: false }));
    return { contexts, sequences: contexts.map((c) => c.getSequence()) };
  } catch (error) {
    for (const context of contexts) await context.dispose();
    throw error;
  }
}

/** A window holds at least this many tokens (400 ms of a slow model may hold one), unless it reaches its cap. */
const minWindowTokens = 4;
/** A window never runs past this many times windowMs: a collapsed setting has shown itself by then. */
const windowCapFactor = 4;

/**
 * Sustained decoding speed at `threads`: every sequence evaluates the prompt and its first token
 * (not timed), then all decode together for `windowMs` and at least a few tokens (within a cap).
 * The speed is the tokens counted over the time until the window closed. A sequence that fills its
 * context starts over from the prompt, inside the window.
 */
export async function measureSustained(
  model: LlamaModel,
  threads: number,
  options: { sequences: number; batching: Batching; windowMs: number; contextSize: number },
): Promise<SustainedSpeed> {
  const layout = await createLayout(model, threads, options.sequences, options.batching, options.contextSize);
  try {
    const bias = neverEndBias(model);
    const prompt: Token[] = model.tokenize(promptText);
    if (model.tokens.bos !== null && model.tokens.shouldPrependBosToken) prompt.unshift(model.tokens.bos);
    const evaluate = (sequence: LlamaContextSequence) => sequence.evaluate(prompt, { temperature: 0, tokenBias: bias });
    const started = layout.sequences.map(async (sequence) => {
      const iterator = evaluate(sequence);
      await iterator.next();
      return { sequence, iterator };
    });
    const runners = await Promise.all(started);
    const start = performance.now();
    let tokens = 0;
    let closedAt: number | null = null;
    await Promise.all(
      runners.map(async (runner) => {
        let { iterator } = runner;
        try {
          while (closedAt === null) {
            const next = await iterator.next();
            const now = performance.now();
            if (closedAt !== null && now > closedAt) break;
            if (next.done || runner.sequence.nextTokenIndex >= runner.sequence.contextSize - 1) {
              await iterator.return();
              await runner.sequence.clearHistory();
              iterator = evaluate(runner.sequence);
            } else tokens++;
            const elapsed = now - start;
            if ((elapsed >= options.windowMs && tokens >= minWindowTokens) || elapsed >= options.windowMs * windowCapFactor) closedAt = now;
          }
        } finally {
          await iterator.return();
        }
      }),
    );
    const ms = closedAt! - start;
    return { sequences: options.sequences, tokens, ms, tokensPerSecond: (tokens * 1000) / ms };
  } finally {
    for (const context of layout.contexts) await context.dispose();
  }
}
