// Sends webhook deliveries and keeps their log. Each attempt claims the delivery first (a short lock
// in the database), so the Cron Trigger, the Node timers and the immediate attempt after an event
// never send one delivery twice at once. Failures are retried on the configured schedule (Standard
// Webhooks' example by default) with jitter; 410 disables the endpoint; Retry-After is honoured.
// On Node a retry leaves on its own timer (retry-timer.ts); on Workers the Cron Trigger sends it.
import { and, asc, eq, isNotNull, isNull, lte, or, lt, sql } from "drizzle-orm";
import { webhookHeaders } from "../../shared/api/signing.ts";
import type { EdgeConfig } from "../config.ts";
import type { EdgeDb } from "../db/client.ts";
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from "../db/schema.ts";
import { RetryTimer, registerRetryTimer, retryTimerOf, unregisterRetryTimer } from "./retry-timer.ts";
import { activeSecrets, keySigningSecret } from "./secrets.ts";
import { webhookUrlProblem } from "./ssrf.ts";

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

const maxRetryAfterMs = 24 * 3600 * 1000;
const userAgent = "Opus-Webhooks/1.0 (+https://www.standardwebhooks.com)";

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

/** When attempt number `attempts + 1` is due after a failure, or null when the schedule is spent. */
export function nextAttemptAt(schedule: readonly number[], attempts: number, now: number, retryAfterSeconds?: number): number | null {
  if (attempts >= schedule.length) return null;
  const base = schedule[attempts]! * 1000;
  // Up to 20% random jitter, so that receivers recovering from an outage are not hit in lockstep.
  let delay = base * (1 + Math.random() * 0.2);
  if (retryAfterSeconds !== undefined) delay = Math.max(delay, Math.min(retryAfterSeconds * 1000, maxRetryAfterMs));
  return now + Math.round(delay);
}

type Outcome = { statusCode: number | null; latencyMs: number; error: string | null; retryAfter?: number };

async function send(config: EdgeConfig, row: DeliveryRow, secrets: string[]): Promise<Outcome> {
  const started = Date.now();
  try {
    const res = await fetch(row.url, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": userAgent, ...webhookHeaders(secrets, row.eventId, row.payload) },
      body: row.payload,
      // Redirects count as failures (Standard Webhooks): following them could also bypass the SSRF guard.
      redirect: "manual",
      signal: AbortSignal.timeout(config.webhooks.timeoutMs),
    });
    const latencyMs = Date.now() - started;
    await res.body?.cancel().catch(() => undefined);
    const ok = res.status >= 200 && res.status < 300;
    return { statusCode: res.status, latencyMs, error: ok ? null : `receiver answered ${res.status}`, retryAfter: parseRetryAfter(res.headers.get("retry-after")) };
  } catch (error) {
    const e = error as Error;
    const timedOut = e.name === "TimeoutError" || e.name === "AbortError";
    return { statusCode: null, latencyMs: Date.now() - started, error: timedOut ? `timed out after ${config.webhooks.timeoutMs} ms` : `could not connect (${e.name})` };
  }
}

/** Claims a due delivery for one attempt; undefined when it is not due or someone else holds it. */
async function claim(db: EdgeDb, config: EdgeConfig, id: string, now: number): Promise<DeliveryRow | undefined> {
  return db
    .update(webhookDeliveries)
    .set({ lockedUntil: now + config.webhooks.timeoutMs + 10_000 })
    .where(
      and(
        eq(webhookDeliveries.id, id),
        eq(webhookDeliveries.status, "pending"),
        lte(webhookDeliveries.nextAttemptAt, now),
        or(isNull(webhookDeliveries.lockedUntil), lt(webhookDeliveries.lockedUntil, now)),
      ),
    )
    .returning()
    .get();
}

async function finish(db: EdgeDb, row: DeliveryRow, outcome: Outcome, change: Partial<DeliveryRow>, now: number) {
  const attempt = row.attempts + 1;
  await db.batch([
    db.insert(webhookAttempts).values({
      deliveryId: row.id,
      attempt,
      at: now,
      statusCode: outcome.statusCode,
      latencyMs: outcome.latencyMs,
      error: outcome.error,
      nextAttemptAt: change.nextAttemptAt ?? null,
    }),
    db
      .update(webhookDeliveries)
      .set({
        attempts: attempt,
        lockedUntil: null,
        lastStatus: outcome.statusCode,
        lastLatencyMs: outcome.latencyMs,
        lastError: outcome.error,
        updatedAt: Date.now(),
        ...change,
      })
      .where(eq(webhookDeliveries.id, row.id)),
  ]);
}

/**
 * Makes one attempt at delivery `id` if it is due. Returns when the next attempt is due (ms since
 * epoch), or null when the delivery is settled or was not ours to send.
 */
export async function attemptDelivery(db: EdgeDb, config: EdgeConfig, id: string): Promise<number | null> {
  const now = Date.now();
  const row = await claim(db, config, id, now);
  if (!row) return null;
  let secrets: string[];
  if (row.endpointId) {
    const endpoint = await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, row.endpointId)).get();
    if (!endpoint || endpoint.disabledAt !== null) {
      await db
        .update(webhookDeliveries)
        .set({ status: "canceled", lockedUntil: null, nextAttemptAt: null, lastError: endpoint ? "endpoint disabled" : "endpoint deleted", updatedAt: now })
        .where(eq(webhookDeliveries.id, row.id));
      return null;
    }
    secrets = activeSecrets(endpoint, now);
  } else {
    secrets = activeSecrets(await keySigningSecret(db, row.keyId), now);
  }
  const blocked = webhookUrlProblem(row.url, config.webhooks.allowPrivate);
  if (blocked) {
    await finish(db, row, { statusCode: null, latencyMs: 0, error: `not sent: the URL ${blocked}` }, { status: "failed", nextAttemptAt: null }, now);
    return null;
  }
  const outcome = await send(config, row, secrets);
  const done = Date.now();
  if (outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300) {
    await finish(db, row, outcome, { status: "succeeded", nextAttemptAt: null, deliveredAt: done }, done);
    return null;
  }
  if (outcome.statusCode === 410) {
    // The receiver wants no more webhooks from us: disable its endpoint and drop what is queued for it.
    await finish(db, row, outcome, { status: "failed", nextAttemptAt: null }, done);
    if (row.endpointId) {
      await db.batch([
        db
          .update(webhookEndpoints)
          .set({ disabledAt: done, disabledReason: "the receiver answered 410 Gone", updatedAt: done })
          .where(and(eq(webhookEndpoints.id, row.endpointId), isNull(webhookEndpoints.disabledAt))),
        db
          .update(webhookDeliveries)
          .set({ status: "canceled", nextAttemptAt: null, lastError: "endpoint disabled (410 Gone)", updatedAt: done })
          .where(and(eq(webhookDeliveries.endpointId, row.endpointId), eq(webhookDeliveries.status, "pending"))),
      ]);
    }
    return null;
  }
  const next = nextAttemptAt(config.webhooks.retrySchedule, row.attempts + 1, done, outcome.retryAfter);
  await finish(db, row, outcome, next === null ? { status: "failed", nextAttemptAt: null } : { nextAttemptAt: next }, done);
  if (next !== null) retryTimerOf(db)?.arm(next);
  return next;
}

/**
 * Sends what is due (optionally only one event's deliveries), a few at a time. When `followUpMs` is
 * set, a failed attempt whose retry is due within that time is retried in the same call (so the
 * schedule's early retries do not wait for the next Cron Trigger); where a retry timer runs (Node),
 * the timer sends them instead and this call returns after the first attempts.
 */
export async function deliverDue(
  db: EdgeDb,
  config: EdgeConfig,
  opts: { eventId?: string; deliveryId?: string; limit?: number; followUpMs?: number } = {},
): Promise<number> {
  const now = Date.now();
  const where = [eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, now), or(isNull(webhookDeliveries.lockedUntil), lt(webhookDeliveries.lockedUntil, now))];
  if (opts.eventId) where.push(eq(webhookDeliveries.eventId, opts.eventId));
  if (opts.deliveryId) where.push(eq(webhookDeliveries.id, opts.deliveryId));
  const due = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(and(...where))
    .orderBy(asc(webhookDeliveries.nextAttemptAt))
    .limit(opts.limit ?? 25)
    .all();
  let attempted = 0;
  const followUpMs = retryTimerOf(db) ? undefined : opts.followUpMs;
  const queue = due.map((d) => d.id);
  const workers = Array.from({ length: Math.min(4, queue.length) }, async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      let next = await attemptDelivery(db, config, id);
      attempted++;
      while (next !== null && followUpMs !== undefined && next - Date.now() <= followUpMs) {
        await new Promise((r) => setTimeout(r, Math.max(0, next! - Date.now())));
        next = await attemptDelivery(db, config, id);
        attempted++;
      }
    }
  });
  await Promise.all(workers);
  return attempted;
}

/** Pending deliveries, for health output and tests. */
export async function pendingDeliveries(db: EdgeDb): Promise<number> {
  const row = await db.select({ n: sql<number>`count(*)` }).from(webhookDeliveries).where(eq(webhookDeliveries.status, "pending")).get();
  return row?.n ?? 0;
}

/**
 * When the earliest pending delivery can next be attempted (ms since epoch), or undefined when none
 * is pending. A delivery claimed by an attempt in flight counts from its claim's expiry: its sender
 * arms the timer itself when it finishes, and the expiry covers a sender that died.
 */
export async function nextPendingAt(db: EdgeDb): Promise<number | undefined> {
  const row = await db
    .select({ at: sql<number | null>`min(max(${webhookDeliveries.nextAttemptAt}, coalesce(${webhookDeliveries.lockedUntil}, 0)))` })
    .from(webhookDeliveries)
    .where(and(eq(webhookDeliveries.status, "pending"), isNotNull(webhookDeliveries.nextAttemptAt)))
    .get();
  return row?.at ?? undefined;
}

/**
 * The Node entry's retry timer for `db`: every retry scheduled through `db` arms it, and it starts
 * armed for what was already pending (deliveries left by a previous run). `stop()` before closing `db`.
 */
export function startRetryTimer(db: EdgeDb, config: EdgeConfig, opts: { limit?: number } = {}): { stop: () => Promise<void> } {
  const timer = new RetryTimer(async () => {
    await deliverDue(db, config, { limit: opts.limit ?? 50 });
    return nextPendingAt(db);
  });
  registerRetryTimer(db, timer);
  const first = nextPendingAt(db)
    .then((at) => {
      if (at !== undefined) timer.arm(at);
    })
    .catch((error: Error) => console.error("webhook retries failed:", error.message));
  return {
    stop: async () => {
      unregisterRetryTimer(db);
      await first;
      await timer.stop();
    },
  };
}
