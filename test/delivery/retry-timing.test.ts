// Webhook retries on the Node entry leave on their own timer, at the documented offsets: each retry
// is due its schedule's delay (plus at most 20% jitter) after the previous attempt ended, and is sent
// when due, not at the next round of the scheduled work. The scheduled work runs once an hour here,
// so any retry sent at all was sent by the retry timer; the times compared are the ones the store
// recorded for each attempt (when it ended, its latency, and when the next one was due).
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EdgeDb } from "../../edge/db/client.ts";
import { webhookAttempts, webhookDeliveries } from "../../edge/db/schema.ts";
import { startEdge, type RunningEdge } from "../../edge/node.ts";
import { createApiKey } from "../../edge/auth.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { client, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { startReceiver, waitFor, type Receiver } from "./receivers.ts";

/** Seconds before each attempt, as OPUS_WEBHOOK_RETRY_SCHEDULE: short, so the test takes seconds. */
const schedule = [0, 1, 2, 1];
/**
 * How late a retry may leave after it was due: the time for the event loop to run the timer and
 * for the attempt to claim the delivery, generous for a busy machine, and far below the scheduled
 * work's interval (an hour here; 5 s by default), which is what sent retries before.
 */
const lateToleranceMs = 3000;
const hourMs = "3600000";

type Attempt = typeof webhookAttempts.$inferSelect;

async function attemptsOf(db: EdgeDb, deliveryId: string): Promise<Attempt[]> {
  return db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, deliveryId)).orderBy(asc(webhookAttempts.attempt)).all();
}

async function deliveryOf(db: EdgeDb, entryId: string) {
  return db.select().from(webhookDeliveries).where(eq(webhookDeliveries.entryId, entryId)).get();
}

/** Each retry: due at its documented offset after the previous attempt ended, and sent when due. */
function expectOnSchedule(attempts: Attempt[], delays: number[]) {
  for (let k = 1; k < attempts.length; k++) {
    const previous = attempts[k - 1]!;
    const attempt = attempts[k]!;
    const due = previous.nextAttemptAt!;
    const base = delays[k]! * 1000;
    const offset = due - previous.at;
    expect(offset, `attempt ${attempt.attempt}: due after the previous one ended`).toBeGreaterThanOrEqual(base);
    expect(offset, `attempt ${attempt.attempt}: at most 20% jitter`).toBeLessThanOrEqual(Math.round(base * 1.2));
    // `at` is when the attempt ended; minus its latency, when its request left.
    const left = attempt.at - attempt.latencyMs;
    expect(left, `attempt ${attempt.attempt}: never before it is due`).toBeGreaterThanOrEqual(due);
    expect(left - due, `attempt ${attempt.attempt}: sent when due, not at a later scheduled round`).toBeLessThan(lateToleranceMs);
  }
}

describe("webhook retry timing on the Node entry", () => {
  let receiver: Receiver;
  let target: EdgeTarget;
  let api: ReturnType<typeof client>;
  let path_ = 0;

  beforeAll(async () => {
    receiver = await startReceiver();
    // Every receiver here is down: each delivery uses up its schedule.
    receiver.script(() => ({ status: 500 }));
    target = await startEdgeTarget("node", {
      OPUS_NODE_SECRET: newSigningSecret(),
      OPUS_WEBHOOK_ALLOW_PRIVATE: "true",
      OPUS_WEBHOOK_RETRY_SCHEDULE: schedule.join(","),
      OPUS_WEBHOOK_TIMEOUT_MS: "2000",
      OPUS_SCHEDULER_INTERVAL_MS: hourMs,
    });
    api = client(target, (await createApiKey(target.db, "owner")).key);
  });
  afterAll(async () => {
    await target?.close();
    await receiver?.close();
  });

  /** A canceled entry's delivery to a fresh endpoint that always answers 500. */
  async function failingDelivery() {
    const endpoint = await api("POST", "/v1/webhooks", { url: `${receiver.url}/down/${++path_}`, events: ["entry.canceled"] });
    expect(endpoint.status).toBe(201);
    const entry = await api("POST", "/v1/entries", { subject: "Theosis", tier: "B", category: "Theology" });
    expect((await api("POST", `/v1/entries/${entry.json.id}/cancel`)).status).toBe(200);
    return { entryId: entry.json.id as string, path: `/down/${path_}` };
  }

  it("sends each retry of an event's delivery at its documented offset", async () => {
    const { entryId, path } = await failingDelivery();
    const delivery = await waitFor(async () => {
      const d = await deliveryOf(target.db, entryId);
      return d?.status === "failed" ? d : undefined;
    }, 30_000, "the delivery to use up its schedule");
    const attempts = await attemptsOf(target.db, delivery.id);
    expect(attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 500]);
    expect(attempts.at(-1)!.nextAttemptAt).toBeNull();
    expectOnSchedule(attempts, schedule);
    expect(receiver.on(path)).toHaveLength(schedule.length);
  }, 60_000);

  it("sends the retries of a replayed delivery on time too (its first attempt has no follow-up)", async () => {
    const { entryId } = await failingDelivery();
    const original = await waitFor(async () => {
      const d = await deliveryOf(target.db, entryId);
      return d?.status === "failed" ? d : undefined;
    }, 30_000, "the original delivery to fail");
    const replay = await api("POST", `/v1/webhooks/deliveries/${original.id}/replay`);
    expect(replay.status).toBe(202);
    const done = await waitFor(async () => {
      const d = (await api("GET", `/v1/webhooks/deliveries/${replay.json.id}`)).json;
      return d.status === "failed" ? d : undefined;
    }, 30_000, "the replay to use up its schedule");
    expect(done.attempt_log).toHaveLength(schedule.length);
    expectOnSchedule(await attemptsOf(target.db, replay.json.id), schedule);
  }, 90_000);
});

describe("webhook retries pending across a restart of the Node entry", () => {
  let receiver: Receiver;
  let edge: RunningEdge | undefined;

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await edge?.close();
    await receiver?.close();
  });

  it("sends a retry left pending by the previous run when it is due", async () => {
    // Down for the first attempt, up for the retry.
    receiver.script((n) => ({ status: n === 1 ? 500 : 200 }));
    const env = {
      OPUS_DB_URL: `file:${path.join(mkdtempSync(path.join(os.tmpdir(), "opus-edge-")), "edge.db")}`,
      OPUS_NODE_SECRET: newSigningSecret(),
      OPUS_WEBHOOK_ALLOW_PRIVATE: "true",
      OPUS_WEBHOOK_RETRY_SCHEDULE: "0,5",
      OPUS_SCHEDULER_INTERVAL_MS: hourMs,
    };
    edge = await startEdge(env, { port: 0 });
    const api = client({ url: edge.url } as EdgeTarget, (await createApiKey(edge.db, "owner")).key);
    expect((await api("POST", "/v1/webhooks", { url: `${receiver.url}/restart`, events: ["entry.canceled"] })).status).toBe(201);
    const entry = await api("POST", "/v1/entries", { subject: "Theosis", tier: "B", category: "Theology" });
    await api("POST", `/v1/entries/${entry.json.id}/cancel`);
    const first = await waitFor(async () => {
      const d = await deliveryOf(edge!.db, entry.json.id);
      return d?.attempts === 1 ? d : undefined;
    }, 15_000, "the first attempt");
    expect(first.status).toBe("pending");
    await edge.close();
    const closedAt = Date.now();
    edge = await startEdge(env, { port: 0 });
    const delivered = await waitFor(async () => {
      const d = await deliveryOf(edge!.db, entry.json.id);
      return d?.status === "succeeded" ? d : undefined;
    }, 20_000, "the retry after the restart");
    expect(delivered.attempts).toBe(2);
    const attempts = await attemptsOf(edge.db, first.id);
    expect(attempts.map((a) => a.statusCode)).toEqual([500, 200]);
    expectOnSchedule(attempts, [0, 5]);
    // Sent by the new run: the old one stopped its timer before the retry was due.
    expect(attempts[1]!.at - attempts[1]!.latencyMs).toBeGreaterThanOrEqual(closedAt);
    expect(receiver.on("/restart")).toHaveLength(2);
  }, 60_000);
});
