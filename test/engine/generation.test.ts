// The generation API on real models: parallel sequences, cancellation, grammars, stops, streaming, limits.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GenerationTimeoutError,
  InvalidRequestError,
  PromptTooLongError,
  UnknownModelError,
  createEngine,
  type Engine,
} from "../../gpu-node/engine/index.ts";
import { randomPath, storiesPath, testConfig } from "./helpers.ts";

let engine: Engine;

beforeAll(async () => {
  engine = await createEngine(
    testConfig([
      { id: "stories", source: storiesPath, roles: ["generator"], contextSize: 2048, sequences: 4 },
      { id: "random", source: randomPath, roles: ["judge"], contextSize: 512, sequences: 2 },
      { id: "single", source: storiesPath, contextSize: 2048, sequences: 1 },
      { id: "tiny", source: storiesPath, contextSize: 64, sequences: 1 },
      { id: "chatml", source: storiesPath, contextSize: 512, sequences: 1, chatWrapper: "chatML" },
    ]),
  );
});

afterAll(async () => {
  await engine?.close();
});

function activeOf(id: string): number {
  return engine.stats().models.find((m) => m.id === id)!.active;
}

describe("generation", () => {
  it("completes a prompt, streams the same text, and reports timing", async () => {
    let streamed = "";
    const result = await engine.complete({ prompt: "Once upon a time", maxTokens: 24, temperature: 0, onToken: (t) => (streamed += t) });
    expect(result.model).toBe("stories");
    expect(result.tokens).toBe(24);
    expect(result.stopReason).toBe("maxTokens");
    expect(result.text).toBe(streamed);
    expect(result.text).toMatch(/[a-z]/);
    expect(result.cached).toBe(false);
    expect(result.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(result.durationMs).toBeGreaterThanOrEqual(result.timeToFirstTokenMs);
  });

  it("runs parallel calls as concurrent sequences of one context, up to its sequences", async () => {
    let maxActive = 0;
    const results = await Promise.all(
      [1, 2, 3, 4, 5, 6].map((seed) =>
        engine.complete({
          prompt: "Once upon a time",
          maxTokens: 40,
          temperature: 0.8,
          seed: seed + 1000,
          onToken: () => {
            maxActive = Math.max(maxActive, activeOf("stories"));
          },
        }),
      ),
    );
    expect(results.every((r) => r.tokens > 0)).toBe(true);
    // Four sequences generated together; the other two waited for a free one.
    expect(maxActive).toBe(4);
    expect(activeOf("stories")).toBe(0);
  });

  it("stops at a stop sequence and leaves it out of the text", async () => {
    const free = await engine.complete({ prompt: "Once upon a time", maxTokens: 60, temperature: 0 });
    // A word from the middle of what the model writes unstopped (whatever the test model).
    const at = free.text.indexOf(" ", Math.floor(free.text.length / 3));
    expect(at).toBeGreaterThan(0);
    const word = free.text.slice(at, at + 5);
    expect(word.trim().length).toBeGreaterThan(0);
    let streamed = "";
    const stopped = await engine.complete({ prompt: "Once upon a time", maxTokens: 60, temperature: 0, stop: ["never appears", word], onToken: (t) => (streamed += t) });
    expect(stopped.stopReason).toBe("stop");
    expect(stopped.text).toBe(free.text.slice(0, free.text.indexOf(word)));
    // Streaming held back the start of the stop sequence: nothing of it reached the caller.
    expect(streamed).toBe(stopped.text);
  });

  it("is reproducible with a seed and varies across seeds", async () => {
    const run = (seed: number) => engine.complete({ model: "random", prompt: "The", maxTokens: 12, temperature: 1, seed });
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(a.text).toBe(b.text);
    expect(a.text).not.toBe(c.text);
  });

  it("produces output that parses against the JSON schema grammar", async () => {
    const schema = {
      type: "object",
      properties: {
        verdict: { enum: ["keep", "revise", "reject"] },
        confident: { type: "boolean" },
        notes: { type: "array", items: { type: "string", maxLength: 12 }, maxItems: 3 },
      },
    } as const;
    for (const seed of [1, 2, 3]) {
      // The random-weights model would write gibberish; the grammar forces valid JSON of the schema.
      const result = await engine.complete({ model: "judge", prompt: "Verdict:", maxTokens: 200, temperature: 1, seed, jsonSchema: schema });
      expect(result.stopReason).not.toBe("maxTokens");
      const parsed = JSON.parse(result.text) as { verdict: string; confident: boolean; notes: string[] };
      expect(Object.keys(parsed).sort()).toEqual(["confident", "notes", "verdict"]);
      expect(["keep", "revise", "reject"]).toContain(parsed.verdict);
      expect(typeof parsed.confident).toBe("boolean");
      expect(Array.isArray(parsed.notes) && parsed.notes.length <= 3).toBe(true);
      for (const note of parsed.notes) expect(typeof note === "string" && note.length <= 12).toBe(true);
      expect(result.json).toEqual(parsed);
    }
  });

  it("frees the sequence at once when the caller aborts", async () => {
    const controller = new AbortController();
    let abortedAt = 0;
    let tokens = 0;
    const first = engine.complete({
      model: "single",
      prompt: "Once upon a time",
      maxTokens: 1500,
      temperature: 0,
      signal: controller.signal,
      onToken: () => {
        tokens++;
        if (tokens === 5) {
          abortedAt = performance.now();
          controller.abort();
        }
      },
    });
    // Queued behind the first on the model's only sequence.
    const secondStart = performance.now();
    const second = engine.complete({ model: "single", prompt: "Once upon a time", maxTokens: 5, temperature: 0 });
    const aborted = await first;
    expect(aborted.stopReason).toBe("abort");
    expect(aborted.tokens).toBeGreaterThanOrEqual(5);
    expect(aborted.tokens).toBeLessThan(20);
    expect(aborted.text.length).toBeGreaterThan(0);
    const next = await second;
    expect(next.stopReason).toBe("maxTokens");
    expect(secondStart + next.timeToFirstTokenMs).toBeGreaterThan(abortedAt);
    expect(activeOf("single")).toBe(0);

    // Aborted while still queued: it leaves the queue and resolves as an abort without tokens.
    const blocker = new AbortController();
    let blocking = 0;
    const holder = engine.complete({
      model: "single",
      prompt: "Once upon a time",
      maxTokens: 1500,
      temperature: 0,
      signal: blocker.signal,
      onToken: () => {
        if (++blocking === 2) {
          const queued = new AbortController();
          const waiting = engine.complete({ model: "single", prompt: "x", maxTokens: 5, signal: queued.signal });
          expect(engine.stats().queueDepth).toBe(1);
          queued.abort();
          void waiting.then((r) => {
            expect(r).toMatchObject({ stopReason: "abort", tokens: 0, text: "" });
            expect(engine.stats().queueDepth).toBe(0);
            blocker.abort();
          });
        }
      },
    });
    expect((await holder).stopReason).toBe("abort");
  });

  it("prompts base models by completion and chat models through their template", async () => {
    // The test model's GGUF has no chat template; naming a wrapper makes it a chat model.
    expect(await engine.promptStyle("stories")).toBe("completion");
    expect(await engine.promptStyle("chatml")).toBe("chat");
    const answer = await engine.chat({ model: "chatml", messages: [{ role: "user", content: "Tell me a story." }], maxTokens: 8, temperature: 0 });
    expect(answer.tokens).toBeGreaterThan(0);
    const described = (await engine.describe()).models.find((m) => m.id === "chatml")!;
    expect(described).toMatchObject({ chatWrapper: "ChatML", promptStyle: "chat" });
  });

  it("chats with the model's chat wrapper", async () => {
    const result = await engine.chat({ messages: [{ role: "system", content: "You tell stories." }, { role: "user", content: "Tell me a story." }], maxTokens: 16, temperature: 0 });
    expect(result.tokens).toBeGreaterThan(0);
    expect(result.text.length).toBeGreaterThan(0);
    await expect(engine.chat({ messages: [{ role: "assistant", content: "Hi" }], maxTokens: 4 })).rejects.toThrow(
      'messages[0].role = "assistant": the last message must be from the user, or an assistant reply to continue right after one',
    );
    await expect(engine.chat({ messages: [{ role: "system", content: "x" }], maxTokens: 4 })).rejects.toThrow('messages[0].role = "system": the last message must be from the user');
    // A prefilled reply is continued, not repeated: the answer is what comes after the prefix.
    const prefilled = await engine.chat({ messages: [{ role: "user", content: "Tell me a story." }, { role: "assistant", content: "Once upon a time" }], maxTokens: 12, temperature: 0 });
    expect(prefilled.tokens).toBeGreaterThan(0);
    expect(prefilled.text.startsWith("Once upon a time")).toBe(false);
  });

  it("counts tokens and refuses a prompt longer than the context", async () => {
    // llama.cpp may pad a context (to a multiple of 256 within the training context): the plan says
    // what is really allocated.
    const allocated = await engine.contextSize("tiny");
    expect(allocated).toBeGreaterThanOrEqual(64);
    expect((await engine.plan("tiny")).contextSize).toMatchObject({ value: allocated, source: "explicit" });
    expect(await engine.countTokens("Once upon a time", "tiny")).toBeGreaterThan(2);
    const tokens = await engine.tokenize("Once upon a time", "tiny");
    expect(tokens.every((t) => Number.isInteger(t))).toBe(true);
    const long = "Once upon a time there was a little girl. ".repeat(60);
    expect(await engine.countTokens(long, "tiny")).toBeGreaterThan(allocated);
    await expect(engine.complete({ model: "tiny", prompt: long, maxTokens: 4 })).rejects.toBeInstanceOf(PromptTooLongError);
    // A prompt that fits generates until the context is full, then stops.
    const filled = await engine.complete({ model: "tiny", prompt: "Once upon a time", maxTokens: 500, temperature: 0 });
    expect(filled.tokens).toBeLessThan(allocated);
    expect(await engine.contextSize("tiny")).toBe(allocated);
  });

  it("refuses bad requests with the field, the value and what is allowed", async () => {
    const bad = (request: unknown) => engine.complete(request as Parameters<Engine["complete"]>[0]);
    await expect(bad({ prompt: "x", maxTokens: -1 })).rejects.toThrow(new InvalidRequestError("maxTokens = -1: expected a positive integer"));
    await expect(bad({ prompt: "x", maxTokens: 4, temperature: 5 })).rejects.toThrow("temperature = 5: expected a number from 0 to 2");
    await expect(bad({ prompt: "x", maxTokens: 4, priority: "Z" })).rejects.toThrow('priority = "Z": expected "S", "A" or "B"');
    await expect(bad({ prompt: "x", maxTokens: 99999 })).rejects.toThrow("maxTokens = 99999: at most 8192 (generation.maxTokens)");
    await expect(bad({ prompt: "x", maxTokens: 4, max_tokens: 4 })).rejects.toThrow("max_tokens: unknown field");
    await expect(bad({ maxTokens: 4 })).rejects.toThrow("prompt is missing: expected a string");
    await expect(bad({ model: "nope", prompt: "x", maxTokens: 4 })).rejects.toBeInstanceOf(UnknownModelError);
    await expect(bad({ prompt: "x", maxTokens: 4, jsonSchema: { type: "wat" } })).rejects.toThrow('jsonSchema.type = "wat": expected one of string, number');
    await expect(bad({ prompt: "x", maxTokens: 4, jsonSchema: { type: "object", properties: { n: { type: "integer", minimum: 1 } } } })).rejects.toThrow(
      'jsonSchema.properties.n: "minimum" is not supported by JSON-schema grammars',
    );
  });

  it("stops a generation that runs past its timeout and keeps the partial text", async () => {
    await engine.loadModel("single");
    const error = await engine.complete({ model: "single", prompt: "Once upon a time", maxTokens: 1500, temperature: 0, timeoutMs: 40 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GenerationTimeoutError);
    expect((error as GenerationTimeoutError).tokens).toBeLessThan(1500);
    expect(activeOf("single")).toBe(0);
  });
});
