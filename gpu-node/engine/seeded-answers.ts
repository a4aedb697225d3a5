// Answers to seeded requests, replayed from the response cache: the key covers everything that
// decides a seeded generation's output (the model file's hash, the input, the sampling settings and
// the model settings that change the text). Unseeded requests have no key: sampling stays fresh.
import type { FileHasher } from "./file-hash.ts";
import type { ChatMessage } from "./generation.ts";
import type { ModelPool, PooledModel } from "./model-pool.ts";
import { cacheKey, type CachedResponse, type ResponseCache } from "./response-cache.ts";

/** What a request asks the model to continue: a prompt, or chat messages. */
export type RequestInput = { kind: "complete"; prompt: string } | { kind: "chat"; messages: ChatMessage[] };

export type SamplingSettings = { maxTokens: number; temperature: number; topP: number; seed: number; stop: string[]; jsonSchema: object | null };

/** Where a seeded answer is (or will be) kept: its key and the model file's hash. */
export type AnswerSlot = { key: string; modelSha256: string };

export class SeededAnswers {
  constructor(
    private readonly cache: ResponseCache,
    private readonly pool: ModelPool,
    private readonly hasher: FileHasher,
  ) {}

  get persistent(): boolean {
    return this.cache.persistent;
  }

  async slotFor(model: PooledModel, input: RequestInput, sampling: SamplingSettings): Promise<AnswerSlot> {
    const prepared = await this.pool.prepare(model);
    const modelSha256 = await model.sha256(this.hasher, prepared.filePath);
    const key = cacheKey({
      modelSha256,
      kind: input.kind,
      input: input.kind === "complete" ? input.prompt : input.messages,
      ...sampling,
      modelSettings: { contextSize: prepared.plan.contextSize.value, chatWrapper: model.spec.chatWrapper },
    });
    return { key, modelSha256 };
  }

  find(slot: AnswerSlot): Promise<CachedResponse | undefined> {
    return this.cache.get(slot.key);
  }

  keep(slot: AnswerSlot, model: PooledModel, answer: CachedResponse): Promise<void> {
    return this.cache.set(slot.key, { modelSha256: slot.modelSha256, modelId: model.id }, answer);
  }
}
