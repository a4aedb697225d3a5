// Canceling in the middle of a section stops generation within a token step and frees the engine.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPipeline } from "../../gpu-node/pipeline/write-entry.ts";
import type { ChatRequest, CompletionRequest, CompletionResult } from "../../gpu-node/pipeline/generator.ts";
import { startTestPipeline, type TestPipeline } from "../support/pipeline.ts";
import { entryHangGuardMs } from "../support/bounds.ts";

describe("cancellation", () => {
  let t: TestPipeline;
  beforeAll(async () => {
    t = await startTestPipeline();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("stops mid-section within one token per running sequence", async () => {
    const controller = new AbortController();
    let tokensAfterAbort = 0;
    let inFlight = 0;
    // Observe the real engine's token stream (no behaviour changed) to count tokens after abort.
    const engine = t.deps.generator;
    const observe = async <R extends CompletionRequest | ChatRequest>(req: R, run: (req: R) => Promise<CompletionResult>) => {
      inFlight++;
      try {
        return await run({
          ...req,
          onToken: (text: string) => {
            if (controller.signal.aborted) tokensAfterAbort++;
            req.onToken?.(text);
          },
        });
      } finally {
        inFlight--;
      }
    };
    const observed = {
      countTokens: (text: string) => engine.countTokens(text),
      contextSize: () => engine.contextSize(),
      promptStyle: () => engine.promptStyle(),
      complete: (req: CompletionRequest) => observe(req, (r) => engine.complete(r)),
      chat: (req: ChatRequest) => observe(req, (r) => engine.chat(r)),
    };
    const job = { id: "ent_cancel", subject: "Theotokos", tier: "S" as const, category: "Theology", seed: 3 };
    await t.deps.checkpoints.open({ ...job, callback_url: "http://127.0.0.1:1/unused" });
    const running = runPipeline(job, { ...t.deps, generator: observed }, {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.status === "sections" && p.words > 0 && !controller.signal.aborted) controller.abort(new Error("canceled by test"));
      },
    });
    await expect(running).rejects.toThrow();
    expect(controller.signal.aborted).toBe(true);
    expect(inFlight).toBe(0);
    // One token per running sequence; a token can arrive as two chunks (the stop detector holds back the
    // start of a possible stop sequence, "\n" before "\n#", and releases it with the next token).
    const sequences = t.config.models[0]!.sequences === "auto" ? 4 : Number(t.config.models[0]!.sequences);
    expect(tokensAfterAbort).toBeLessThanOrEqual(2 * sequences);
    // No paragraph was checkpointed after the cancellation point finished.
    const steps = await t.deps.checkpoints.steps("ent_cancel");
    const paragraphs = steps.filter((s) => s.kind === "paragraph");
    expect(paragraphs.length).toBeGreaterThan(0);
    expect(paragraphs.length).toBeLessThan(20);
    // The engine is free again: a new request runs at once.
    const after = await engine.complete({ prompt: "Once upon a time", maxTokens: 4, seed: 1 });
    expect(after.tokens).toBeGreaterThan(0);
  }, entryHangGuardMs);
});
