// Two-level response cache for seeded requests: an in-memory LRU in front of the node's libSQL file.
// Only a request with a fixed seed has a key: a sampled answer without a seed is never replayed.
import { createHash } from "node:crypto";
import { eq, asc, sql } from "drizzle-orm";
import type { NodeDb } from "../db/client.ts";
import { responseCache } from "../db/schema/cache.ts";
import { LruMap } from "./lru.ts";
import type { EngineMetrics } from "./metrics.ts";

export type CachedResponse = { text: string; tokens: number; stopReason: "eos" | "stop" | "maxTokens" };

/** Everything that decides the output of a seeded generation. */
export type CacheKeyParts = {
  modelSha256: string;
  kind: "complete" | "chat";
  input: unknown;
  maxTokens: number;
  temperature: number;
  topP: number;
  seed: number;
  stop: string[];
  jsonSchema: unknown;
  /** Settings of the model that change the output (context size truncates, the chat wrapper formats). */
  modelSettings: Record<string, unknown>;
};

/** JSON with sorted object keys, so equal requests hash equally whatever the key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function cacheKey(parts: CacheKeyParts): string {
  return createHash("sha256").update(canonical({ v: 1, ...parts })).digest("hex");
}

export class ResponseCache {
  private readonly memory: LruMap<string, CachedResponse>;

  constructor(
    private readonly options: { memoryEntries: number; db: NodeDb | null; persistentMaxEntries: number; metrics: EngineMetrics },
  ) {
    this.memory = new LruMap(options.memoryEntries);
  }

  get persistent(): boolean {
    return this.options.db !== null;
  }

  async get(key: string): Promise<CachedResponse | undefined> {
    const fromMemory = this.memory.get(key);
    if (fromMemory) {
      this.options.metrics.cacheHits.inc({ level: "memory" });
      return fromMemory;
    }
    const db = this.options.db;
    if (db) {
      const rows = await db.select().from(responseCache).where(eq(responseCache.key, key)).limit(1);
      const row = rows[0];
      if (row) {
        await db
          .update(responseCache)
          .set({ hits: sql`${responseCache.hits} + 1`, lastUsedAt: new Date() })
          .where(eq(responseCache.key, key));
        const value: CachedResponse = { text: row.text, tokens: row.tokens, stopReason: row.stopReason };
        this.memory.set(key, value);
        this.options.metrics.cacheHits.inc({ level: "disk" });
        return value;
      }
    }
    this.options.metrics.cacheMisses.inc();
    return undefined;
  }

  async set(key: string, meta: { modelSha256: string; modelId: string }, value: CachedResponse): Promise<void> {
    this.memory.set(key, value);
    const db = this.options.db;
    if (!db) return;
    const now = new Date();
    await db
      .insert(responseCache)
      .values({ key, modelSha256: meta.modelSha256, modelId: meta.modelId, ...value, createdAt: now, lastUsedAt: now, hits: 0 })
      .onConflictDoNothing();
    await this.prune(db);
  }

  /** Keeps the file bounded: drops the least recently used rows beyond persistentMaxEntries. */
  private async prune(db: NodeDb): Promise<void> {
    const [count] = await db.select({ n: sql<number>`count(*)` }).from(responseCache);
    const excess = (count?.n ?? 0) - this.options.persistentMaxEntries;
    if (excess <= 0) return;
    const victims = await db.select({ key: responseCache.key }).from(responseCache).orderBy(asc(responseCache.lastUsedAt)).limit(excess);
    for (const victim of victims) await db.delete(responseCache).where(eq(responseCache.key, victim.key));
  }

  clearMemory(): void {
    this.memory.clear();
  }
}
