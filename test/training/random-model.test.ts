// The random-weights llama that tests use for error paths and grammars: written at test time by our
// GGUF writer, loaded by node-llama-cpp's real llama.cpp, tokenizing with its vocabulary and
// generating free and grammar-constrained text.
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getLlama, LlamaCompletion, readGgufFileInfo, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureRandomModel, randomModelPath } from "../support/models.ts";
import { buildRandomLlamaGguf, randomLlamaTokenizer } from "../support/random-llama.ts";

let llama: Llama;
let model: LlamaModel;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never" });
  model = await llama.loadModel({ modelPath: randomModelPath });
});

afterAll(async () => {
  await model?.dispose();
  await llama?.dispose();
});

async function complete(prompt: string, options: Parameters<LlamaCompletion["generateCompletion"]>[1]): Promise<{ text: string; tokens: number }> {
  const context = await model.createContext({ contextSize: 512, threads: 1 });
  try {
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    let tokens = 0;
    const text = await completion.generateCompletion(prompt, { ...options, onToken: (t) => (tokens += t.length) });
    return { text, tokens };
  } finally {
    await context.dispose();
  }
}

describe("the random-weights test model", () => {
  it("is the same bytes on every build, cached under a name taken from them", () => {
    const bytes = buildRandomLlamaGguf();
    expect(buildRandomLlamaGguf().equals(bytes)).toBe(true);
    expect(buildRandomLlamaGguf(7).equals(bytes)).toBe(false);
    expect(readFileSync(randomModelPath).equals(bytes)).toBe(true);
    const dir = mkdtempSync(path.join(os.tmpdir(), "opus-random-cache-"));
    const written = ensureRandomModel(dir);
    expect(path.basename(written)).toBe(path.basename(randomModelPath));
    const mtime = statSync(written).mtimeMs;
    expect(ensureRandomModel(dir)).toBe(written);
    expect(statSync(written).mtimeMs).toBe(mtime);
  });

  it("describes itself as a llama with the vocabulary it was built from", async () => {
    const info = await readGgufFileInfo(randomModelPath);
    const tokenizer = randomLlamaTokenizer();
    expect(info.metadata.general.architecture).toBe("llama");
    expect(info.metadata.tokenizer.ggml.tokens).toEqual(tokenizer.tokens);
    expect(model.tokens.bos).toBe(1);
    expect(model.tokens.eos).toBe(2);
    expect(model.trainContextSize).toBe(4096);
  });

  it("tokenizes words into whole pieces and anything else into bytes, and back", () => {
    const words = model.tokenize("The theology of the Fathers");
    expect(words.length).toBe(5);
    expect(model.detokenize(words)).toBe("The theology of the Fathers");
    const greek = "Θέωσις: \"deification\" — 2 Pet. 1:4\n";
    expect(model.detokenize(model.tokenize(greek))).toBe(greek);
  });

  it("generates to the token limit without stopping early, reproducibly per seed", async () => {
    const a = await complete("The", { maxTokens: 24, temperature: 1, seed: 7 });
    const b = await complete("The", { maxTokens: 24, temperature: 1, seed: 7 });
    const c = await complete("The", { maxTokens: 24, temperature: 1, seed: 8 });
    expect(a.tokens).toBe(24);
    expect(a.text.length).toBeGreaterThan(0);
    expect(b.text).toBe(a.text);
    expect(c.text).not.toBe(a.text);
  });

  it("writes JSON of a schema under node-llama-cpp's JSON-schema grammar", async () => {
    const grammar = await llama.createGrammarForJsonSchema({
      type: "object",
      properties: {
        verdict: { enum: ["keep", "revise", "reject"] },
        confident: { type: "boolean" },
        notes: { type: "array", items: { type: "string", maxLength: 12 }, maxItems: 3 },
      },
    } as const);
    const verdicts = new Set<string>();
    for (const seed of [1, 2, 3, 4]) {
      const { text, tokens } = await complete("Verdict:", { maxTokens: 200, temperature: 1, seed, grammar });
      expect(tokens).toBeLessThan(200);
      const parsed = grammar.parse(text);
      expect(["keep", "revise", "reject"]).toContain(parsed.verdict);
      expect(typeof parsed.confident).toBe("boolean");
      expect(parsed.notes.length).toBeLessThanOrEqual(3);
      for (const note of parsed.notes) expect(note.length).toBeLessThanOrEqual(12);
      verdicts.add(JSON.stringify(parsed));
    }
    // Random weights and different seeds: not one canned answer.
    expect(verdicts.size).toBeGreaterThan(1);
  });
});
