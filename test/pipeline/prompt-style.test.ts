// Instruct models are prompted through their chat template, base models with a document to
// continue: the same prompt parts serve both, and a whole entry can be written either way.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRequest, CompletionRequest, CompletionResult } from "../../gpu-node/pipeline/generator.ts";
import { chatTemplateAllowance, fitPrompt, fitStyledPrompt, type PromptPart } from "../../gpu-node/pipeline/prompt.ts";
import { runPipeline } from "../../gpu-node/pipeline/write-entry.ts";
import { startTestPipeline, type TestPipeline } from "../support/pipeline.ts";
import { entryHangGuardMs } from "../support/bounds.ts";

const words = (t: string) => t.split(/\s+/).filter(Boolean).length;

const parts: PromptPart[] = [
  { text: "You write an entry.\n", priority: 1, keep: "none", chat: "system", only: "chat" },
  { text: "Entry: Theosis.\n", priority: 1, keep: "head" },
  { text: "House style: sober.\n", priority: 4, keep: "none", chat: "system" },
  { text: "\n## I. Union\n\n", priority: 3, keep: "none", chat: "omit" },
  { text: "The previous paragraph.\n\n", priority: 3, keep: "tail", only: "completion" },
  { text: "The paragraph before it: the previous paragraph.\n", priority: 3, keep: "tail", only: "chat" },
  { text: "The text so far", priority: 1, keep: "tail", chat: "assistant" },
];

const chatPrompt = (system: string, user: string, reply: string) => ({
  kind: "chat",
  messages: [
    { role: "system", content: system },
    { role: "user", content: user },
    { role: "assistant", content: reply },
  ],
});

describe("prompt styles", () => {
  it("builds one document for a base model, and system, user and reply messages for a chat model", async () => {
    const document = await fitStyledPrompt("completion", parts, 1000, words);
    expect(document).toEqual({ kind: "completion", prompt: "Entry: Theosis.\nHouse style: sober.\n\n## I. Union\n\nThe previous paragraph.\n\nThe text so far" });
    // Exactly what the plain fitter makes of the completion parts.
    expect(document).toEqual({ kind: "completion", prompt: (await fitPrompt(parts.filter((p) => p.only !== "chat"), 1000, words)).prompt });

    const chat = await fitStyledPrompt("chat", parts, 1000, words);
    expect(chat).toEqual(chatPrompt("You write an entry.\nHouse style: sober.", "Entry: Theosis.\nThe paragraph before it: the previous paragraph.", "The text so far"));
  });

  it("leaves room for the chat template when fitting a chat prompt", async () => {
    // Room for the ten words of the most important parts, and two more.
    const chat = await fitStyledPrompt("chat", parts, chatTemplateAllowance + 12, words);
    expect(chat).toEqual(chatPrompt("You write an entry.", "Entry: Theosis.", "The text so far"));
  });
});

describe("an entry written through chat messages", () => {
  let t: TestPipeline;
  beforeAll(async () => {
    t = await startTestPipeline({ OPUS_PIPELINE__PROMPT_STYLE: "chat" });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("puts every step to the model as a chat turn, continuing unfinished paragraphs as the reply", async () => {
    // The test model has no chat template of its own: "auto" would prompt it by completion.
    expect(await t.engine.promptStyle()).toBe("completion");
    const chats: ChatRequest[] = [];
    let completions = 0;
    const engine = t.deps.generator;
    const recorded = {
      countTokens: (text: string) => engine.countTokens(text),
      contextSize: () => engine.contextSize(),
      promptStyle: () => engine.promptStyle(),
      complete: (req: CompletionRequest): Promise<CompletionResult> => {
        completions++;
        return engine.complete(req);
      },
      chat: (req: ChatRequest): Promise<CompletionResult> => {
        chats.push(req);
        return engine.chat(req);
      },
    };
    const job = { id: "ent_chat", subject: "Holy Icons", tier: "B" as const, category: "Theology", seed: 11 };
    await t.deps.checkpoints.open({ ...job, callback_url: "http://127.0.0.1:1/unused" });
    const result = await runPipeline(job, { ...t.deps, generator: recorded }, { signal: new AbortController().signal, onProgress: () => undefined });

    expect(completions).toBe(0);
    expect(result.entry.metadata.prompt_style).toBe("chat");
    expect(["succeeded", "needs_review"]).toContain(result.status);
    expect(result.entry.words).toBeGreaterThanOrEqual(t.config.pipeline.tiers.B.minWords * 0.5);
    // The blueprint: JSON under a grammar, asked of the model as a user turn after a system turn.
    const blueprint = chats.filter((c) => c.jsonSchema);
    expect(blueprint.length).toBeGreaterThanOrEqual(1 + t.config.pipeline.tiers.B.sections);
    for (const c of blueprint) expect(c.messages.map((m) => m.role)).toEqual(["system", "user"]);
    // Paragraphs: the task in the system turn, the request in the user turn, and when a
    // paragraph needed another pass, its text so far as the start of the reply.
    const paragraphs = chats.filter((c) => !c.jsonSchema);
    expect(paragraphs.length).toBeGreaterThan(10);
    for (const c of paragraphs) {
      expect(c.messages[0]!.role).toBe("system");
      expect(c.messages[1]!.role).toBe("user");
      expect(c.messages[0]!.content).toContain("Answer with the paragraph's text only");
      expect(c.messages.map((m) => m.content).join("\n")).not.toMatch(/^## /m);
    }
    const continued = paragraphs.filter((c) => c.messages.at(-1)!.role === "assistant");
    expect(continued.length).toBeGreaterThan(0);
    for (const c of continued) {
      expect(c.messages.at(-2)!.role).toBe("user");
      expect(words(c.messages.at(-1)!.content)).toBeGreaterThan(0);
    }
  }, entryHangGuardMs);
});
