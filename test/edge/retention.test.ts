// The scheduled work removes ended webhook deliveries (with their attempt log) and idempotency keys
// once they pass their retention, and keeps everything still in use.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../edge/auth.ts";
import { readEdgeConfig } from "../../edge/config.ts";
import { idempotencyKeys, webhookAttempts, webhookDeliveries } from "../../edge/db/schema.ts";
import { startEdge, type RunningEdge } from "../../edge/node.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";

const day = 86_400_000;

describe("retention", () => {
  let edge: RunningEdge;
  let key: string;
  let keyId: string;

  beforeAll(async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "opus-retention-"));
    edge = await startEdge(
      { OPUS_DB_URL: `file:${path.join(dir, "edge.db")}`, OPUS_NODE_SECRET: newSigningSecret(), OPUS_WEBHOOK_LOG_DAYS: "7", OPUS_IDEMPOTENCY_HOURS: "1", OPUS_SCHEDULER_INTERVAL_MS: "3600000" },
      { port: 0 },
    );
    ({ key, id: keyId } = await createApiKey(edge.db, "retention"));
  });
  afterAll(() => edge?.close());

  async function delivery(id: string, status: string, ageMs: number) {
    const at = Date.now() - ageMs;
    await edge.db.insert(webhookDeliveries).values({ id, eventId: `evt_${id}`, keyId, url: "https://example.com/hook", entryId: "ent_x", eventType: "entry.succeeded", payload: "{}", status, attempts: 1, createdAt: at, updatedAt: at });
    await edge.db.insert(webhookAttempts).values({ deliveryId: id, attempt: 1, at, statusCode: 200, latencyMs: 5 });
  }

  it("removes ended deliveries and stale idempotency keys, and keeps the rest", async () => {
    await delivery("dlv_old_done", "succeeded", 8 * day);
    await delivery("dlv_old_failed", "failed", 8 * day);
    await delivery("dlv_old_pending", "pending", 8 * day); // still being retried
    await delivery("dlv_recent", "succeeded", 6 * day);

    const post = (idem: string, subject: string) =>
      fetch(`${edge.url}/v1/entries`, {
        method: "POST",
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "idempotency-key": idem },
        body: JSON.stringify({ subject, tier: "B", category: "Theology" }),
      });
    const first = (await (await post("order-1", "Theosis")).json()) as { id: string };
    await post("order-2", "Hesychasm");
    // order-1 was used two hours ago, past the one-hour window.
    await edge.db.update(idempotencyKeys).set({ createdAt: Date.now() - 2 * 3_600_000 }).where(eq(idempotencyKeys.idempotencyKey, "order-1"));

    const summary = await edge.runScheduled();
    expect(summary?.pruned).toEqual({ deliveries: 2, idempotencyKeys: 1 });

    const left = (await edge.db.select({ id: webhookDeliveries.id }).from(webhookDeliveries).all()).map((d) => d.id).sort();
    expect(left).toEqual(["dlv_old_pending", "dlv_recent"]);
    const attempts = (await edge.db.select({ id: webhookAttempts.deliveryId }).from(webhookAttempts).all()).map((a) => a.id).sort();
    expect(attempts).toEqual(["dlv_old_pending", "dlv_recent"]);
    expect((await edge.db.select().from(idempotencyKeys).all()).map((k) => k.idempotencyKey)).toEqual(["order-2"]);

    // The expired key is free again: the same key now makes a new entry; the entry itself remains.
    const again = await post("order-1", "Theosis");
    expect(again.status).toBe(202);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    expect(((await again.json()) as { id: string }).id).not.toBe(first.id);
    const kept = await fetch(`${edge.url}/v1/entries/${first.id}`, { headers: { authorization: `Bearer ${key}` } });
    expect(kept.status).toBe(200);
    // A key still inside its window replays.
    expect((await post("order-2", "Hesychasm")).headers.get("idempotent-replayed")).toBe("true");

    // Nothing more to do on the next round.
    expect((await edge.runScheduled())?.pruned).toEqual({ deliveries: 0, idempotencyKeys: 0 });
  });

  it("names a bad retention setting", () => {
    const base = { OPUS_DB_URL: "file:x.db", OPUS_NODE_SECRET: newSigningSecret() };
    expect(() => readEdgeConfig({ ...base, OPUS_WEBHOOK_LOG_DAYS: "a week" })).toThrow(/OPUS_WEBHOOK_LOG_DAYS/);
    expect(() => readEdgeConfig({ ...base, OPUS_IDEMPOTENCY_HOURS: "0" })).toThrow(/OPUS_IDEMPOTENCY_HOURS must be above 0/);
    expect(readEdgeConfig(base).retention).toEqual({ webhookLogMs: 30 * day, idempotencyMs: 24 * 3_600_000 });
  });
});
