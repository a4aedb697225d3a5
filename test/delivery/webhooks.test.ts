// Webhooks on both edge entries (Node, and the real Worker bundle under Miniflare): endpoints, the
// events of an entry's life sent once each and signed per Standard Webhooks (verified with the
// `standardwebhooks` library), retries with the same webhook-id, 410, 429 + Retry-After, replay,
// secret rotation, and the scheduled run that sends what is due.
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { webhookDeliveries } from "../../edge/db/schema.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { client, newKey, sendNodeEvent, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { sleep, startReceiver, waitFor, type Receiver, type Received } from "./receivers.ts";
import { finishedEvent } from "../support/node-events.ts";

const entry = { subject: "Theosis", tier: "B", category: "Theology" };

const progress = (seq: number, status: NodeEvent["status"]): NodeEvent =>
  ({ type: "progress", seq, status, step: status, progress: 0.1 * seq, words: 50 * seq, sections: { done: 0, total: 2 }, tokens: 5, eta_seconds: 10 }) as NodeEvent;
const finished = (seq: number): NodeEvent => finishedEvent(seq);
const failed = (seq: number): NodeEvent =>
  ({ ...progress(seq, "failed"), type: "failed", error: { code: "generation_failed", message: "boom" } }) as NodeEvent;

/** Verifies a received delivery with the standardwebhooks library; returns the payload. */
function verified(secret: string, req: Received): any {
  return new Webhook(secret).verify(req.body, {
    "webhook-id": req.headers["webhook-id"]!,
    "webhook-timestamp": req.headers["webhook-timestamp"]!,
    "webhook-signature": req.headers["webhook-signature"]!,
  });
}

describe.each(["node", "worker"] as const)("webhooks on %s", (name) => {
  let target: EdgeTarget;
  let receiver: Receiver;
  let api: ReturnType<typeof client>;
  let path = 0;
  const nextPath = (kind: string) => `/${kind}/${++path}`;

  beforeAll(async () => {
    receiver = await startReceiver();
    target = await startEdgeTarget(name, {
      OPUS_NODE_SECRET: newSigningSecret(),
      OPUS_WEBHOOK_ALLOW_PRIVATE: "true",
      OPUS_WEBHOOK_RETRY_SCHEDULE: "0,0.3,0.3,0.3",
      OPUS_WEBHOOK_TIMEOUT_MS: "700",
      OPUS_WEBHOOK_PROGRESS_INTERVAL_S: "60",
      // As in production, the Node entry's timer also drives due retries (the Worker's cron is run by the tests).
      OPUS_SCHEDULER_INTERVAL_MS: "1000",
    });
    api = client(target, await newKey(target, "owner"));
    // A scripted answer per path kind; the default is 200.
    receiver.script((n, req) => {
      if (req.path.startsWith("/flaky/")) return n === 1 ? { status: 500 } : n === 2 ? { status: 200, delayMs: 1500 } : { status: 200 };
      if (req.path.startsWith("/gone/")) return { status: 410 };
      if (req.path.startsWith("/busy/")) return n === 1 ? { status: 429, headers: { "retry-after": "30" } } : { status: 200 };
      return { status: 200 };
    });
  });
  afterAll(async () => {
    await target?.close();
    await receiver?.close();
  });

  async function endpoint(kind: string, events?: string[]) {
    const url = `${receiver.url}${nextPath(kind)}`;
    const res = await api("POST", "/v1/webhooks", { url, ...(events ? { events } : {}) });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    return { ...res.json, path: new URL(url).pathname } as { id: string; secret: string; path: string; events: string[] };
  }

  it("manages endpoints: create shows the secret once, list and get do not, delete", async () => {
    const created = await endpoint("plain", ["entry.succeeded", "entry.failed"]);
    expect(created.id).toMatch(/^whe_[0-9a-z]{16}$/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(created.events).toEqual(["entry.succeeded", "entry.failed"]);
    const got = await api("GET", `/v1/webhooks/${created.id}`);
    expect(got.json).toMatchObject({ id: created.id, url: `${receiver.url}${created.path}`, disabled_at: null });
    expect(got.json.secret).toBeUndefined();
    const list = await api("GET", "/v1/webhooks");
    expect(list.json.data.map((e: { id: string }) => e.id)).toContain(created.id);
    expect(JSON.stringify(list.json)).not.toContain("whsec_");
    const all = await endpoint("plain");
    expect(all.events).toEqual([
      "entry.started",
      "entry.progress",
      "entry.succeeded",
      "entry.needs_review",
      "entry.failed",
      "entry.canceled",
      ...["entry.approved", "entry.rejected", "entry.edited", "entry.revising", "entry.revised"], // review (issue 12)
    ]);
    expect((await api("DELETE", `/v1/webhooks/${all.id}`)).status).toBe(204);
    expect((await api("GET", `/v1/webhooks/${all.id}`)).status).toBe(404);
    expect((await api("DELETE", `/v1/webhooks/${all.id}`)).status).toBe(404);

    const bad = await api("POST", "/v1/webhooks", { url: "ftp://x.example", events: ["entry.exploded"], extra: 1 });
    expect(bad.status).toBe(422);
    expect(bad.json.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["events.0", "extra", "url"]);
    expect((await api("POST", "/v1/webhooks", { url: `${receiver.url}/x`, events: [] })).json.error.fields[0].field).toBe("events");
  });

  it("sends started, one throttled progress and the terminal event, once each, signed, to endpoint and webhook_url", async () => {
    const ep = await endpoint("life");
    const keySecret = (await api("GET", "/v1/webhooks/secret")).json.secret as string;
    expect(keySecret).toMatch(/^whsec_/);
    const jobPath = nextPath("job");
    const { json } = await api("POST", "/v1/entries", { ...entry, webhook_url: `${receiver.url}${jobPath}` });
    const id = json.id as string;
    expect((await sendNodeEvent(target, id, progress(1, "blueprint"))).json.applied).toBe(true);
    expect((await sendNodeEvent(target, id, progress(2, "sections"))).json.applied).toBe(true);
    expect((await sendNodeEvent(target, id, progress(3, "sections"))).json.applied).toBe(true); // throttled
    expect((await sendNodeEvent(target, id, progress(2, "sections"))).json.applied).toBe(false); // duplicate
    expect((await sendNodeEvent(target, id, finished(5))).json.applied).toBe(true);
    expect((await sendNodeEvent(target, id, finished(5))).json.applied).toBe(false); // duplicate
    expect((await sendNodeEvent(target, id, progress(4, "sections"))).json.applied).toBe(false); // late
    await waitFor(() => receiver.on(ep.path).length >= 3 && receiver.on(jobPath).length >= 3, 15_000, "six deliveries");
    await sleep(500);
    for (const [path, secret] of [
      [ep.path, ep.secret],
      [jobPath, keySecret],
    ] as const) {
      const got = receiver.on(path);
      expect(got.map((r) => JSON.parse(r.body).type)).toEqual(expect.arrayContaining(["entry.started", "entry.progress", "entry.needs_review"]));
      expect(got).toHaveLength(3);
      for (const req of got) {
        const payload = verified(secret, req);
        expect(payload.data.id).toBe(id);
        expect(req.headers["webhook-id"]).toMatch(/^msg_[0-9a-z]+$/);
        expect(req.headers["content-type"]).toContain("application/json");
        expect(() => verified(newSigningSecret(), req)).toThrow();
      }
      const terminal = got.find((r) => JSON.parse(r.body).type === "entry.needs_review")!;
      expect(JSON.parse(terminal.body)).toMatchObject({ type: "entry.needs_review", data: { id, status: "needs_review", progress: 1, words: 9 } });
    }
    // One event id per event, shared by both destinations.
    const ids = (p: string) => receiver.on(p).map((r) => `${JSON.parse(r.body).type} ${r.headers["webhook-id"]}`).sort();
    expect(ids(ep.path)).toEqual(ids(jobPath));
    const log = await api("GET", `/v1/webhooks/deliveries?entry_id=${id}`);
    expect(log.json.data).toHaveLength(6);
    for (const d of log.json.data) expect(d).toMatchObject({ status: "succeeded", attempts: 1, last_status: 200, next_attempt_at: null });
    const detail = await api("GET", `/v1/webhooks/deliveries/${log.json.data[0].id}`);
    expect(detail.json.attempt_log).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, error: null })]);
    expect(detail.json.attempt_log[0].latency_ms).toBeGreaterThanOrEqual(0);
  });

  it("after POST /v1/entries/:id/retry: no event for the retry itself, then started again and the terminal event", async () => {
    const ep = await endpoint("retried", ["entry.started", "entry.failed", "entry.needs_review"]);
    const { json } = await api("POST", "/v1/entries", entry);
    const id = json.id as string;
    await sendNodeEvent(target, id, progress(1, "sections"));
    await sendNodeEvent(target, id, failed(2));
    await waitFor(() => receiver.on(ep.path).length >= 2 || undefined, 15_000, "started and failed");
    expect((await api("POST", `/v1/entries/${id}/retry`)).status).toBe(202);
    await sleep(300);
    expect(receiver.on(ep.path)).toHaveLength(2);
    await sendNodeEvent(target, id, progress(3, "sections"));
    await sendNodeEvent(target, id, finished(4));
    await waitFor(() => receiver.on(ep.path).length >= 4 || undefined, 15_000, "started again and needs_review");
    await sleep(300);
    const events = receiver.on(ep.path).map((r) => verified(ep.secret, r));
    expect(events.map((e) => e.type)).toEqual(["entry.started", "entry.failed", "entry.started", "entry.needs_review"]);
    expect(events.map((e) => e.data.status)).toEqual(["sections", "failed", "sections", "needs_review"]);
    // Each a distinct event, with its own webhook-id.
    expect(new Set(receiver.on(ep.path).map((r) => r.headers["webhook-id"])).size).toBe(4);
  });

  it("retries after a 500 and a timeout, keeping the webhook-id, until the receiver recovers", async () => {
    const ep = await endpoint("flaky", ["entry.failed"]);
    const { json } = await api("POST", "/v1/entries", entry);
    await sendNodeEvent(target, json.id, failed(1));
    const got = await waitFor(() => (receiver.on(ep.path).some((r) => r.answered === 200 && receiver.on(ep.path).indexOf(r) >= 2) ? receiver.on(ep.path) : undefined), 45_000, "recovery");
    expect(got.length).toBe(3);
    expect(new Set(got.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(new Set(got.map((r) => r.body)).size).toBe(1);
    expect(verified(ep.secret, got[2]!)).toMatchObject({ type: "entry.failed", data: { id: json.id, status: "failed" } });
    const deliveries = await waitFor(async () => {
      const list = (await api("GET", `/v1/webhooks/deliveries?endpoint_id=${ep.id}`)).json.data;
      return list[0]?.status === "succeeded" ? list : undefined;
    });
    const detail = (await api("GET", `/v1/webhooks/deliveries/${deliveries[0].id}`)).json;
    expect(detail).toMatchObject({ status: "succeeded", attempts: 3, last_status: 200, event_id: got[0]!.headers["webhook-id"] });
    expect(detail.attempt_log.map((a: { status_code: number | null }) => a.status_code)).toEqual([500, null, 200]);
    expect(detail.attempt_log[1].error).toContain("timed out");
    expect(detail.attempt_log[0].next_attempt_at).not.toBeNull();
  });

  it("honours 429 with Retry-After, and the scheduled run sends the delivery once it is due", async () => {
    const ep = await endpoint("busy", ["entry.canceled"]);
    const { json } = await api("POST", "/v1/entries", entry);
    expect((await api("POST", `/v1/entries/${json.id}/cancel`)).status).toBe(200);
    await waitFor(() => receiver.on(ep.path).length === 1 || undefined);
    const pending = await waitFor(async () => {
      const d = (await api("GET", `/v1/webhooks/deliveries?endpoint_id=${ep.id}`)).json.data[0];
      return d?.attempts === 1 ? d : undefined;
    });
    const detail = (await api("GET", `/v1/webhooks/deliveries/${pending.id}`)).json;
    expect(detail.status).toBe("pending");
    expect(Date.parse(detail.next_attempt_at) - Date.parse(detail.attempt_log[0].at)).toBeGreaterThanOrEqual(30_000);
    await target.runScheduled();
    expect(receiver.on(ep.path)).toHaveLength(1); // not due yet
    // Let the Retry-After pass (in the database, not in wall time), then run the schedule.
    await target.db.update(webhookDeliveries).set({ nextAttemptAt: Date.now() - 1 }).where(eq(webhookDeliveries.id, pending.id));
    await target.runScheduled();
    const got = await waitFor(() => (receiver.on(ep.path).length === 2 ? receiver.on(ep.path) : undefined));
    expect(got[1]!.headers["webhook-id"]).toBe(got[0]!.headers["webhook-id"]);
    expect(verified(ep.secret, got[1]!)).toMatchObject({ type: "entry.canceled", data: { id: json.id, status: "canceled" } });
    const after = (await api("GET", `/v1/webhooks/deliveries/${pending.id}`)).json;
    expect(after).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("disables an endpoint that answers 410 and sends it nothing more until re-enabled", async () => {
    const ep = await endpoint("gone");
    const { json } = await api("POST", "/v1/entries", entry);
    await sendNodeEvent(target, json.id, progress(1, "blueprint"));
    const disabled = await waitFor(async () => {
      const e = (await api("GET", `/v1/webhooks/${ep.id}`)).json;
      return e.disabled_at ? e : undefined;
    });
    expect(disabled.disabled_reason).toContain("410");
    await sendNodeEvent(target, json.id, finished(2));
    await sleep(300);
    expect(receiver.on(ep.path)).toHaveLength(1);
    const log = (await api("GET", `/v1/webhooks/deliveries?endpoint_id=${ep.id}`)).json.data;
    expect(log.map((d: { status: string; event_type: string }) => `${d.event_type}:${d.status}`)).toEqual(["entry.started:failed"]);
    const replay = await api("POST", `/v1/webhooks/deliveries/${log[0].id}/replay`);
    expect(replay.status).toBe(409);
    expect(replay.json.error.code).toBe("endpoint_disabled");
    const enabled = await api("POST", `/v1/webhooks/${ep.id}/enable`);
    expect(enabled.json.disabled_at).toBeNull();
  });

  it("replays a delivery with the same webhook-id and payload", async () => {
    const ep = await endpoint("replay", ["entry.needs_review"]);
    const { json } = await api("POST", "/v1/entries", entry);
    await sendNodeEvent(target, json.id, finished(1));
    await waitFor(() => receiver.on(ep.path).length === 1 || undefined);
    const original = await waitFor(async () => {
      const d = (await api("GET", `/v1/webhooks/deliveries?endpoint_id=${ep.id}`)).json.data[0];
      return d?.status === "succeeded" ? d : undefined;
    });
    const replay = await api("POST", `/v1/webhooks/deliveries/${original.id}/replay`);
    expect(replay.status).toBe(202);
    expect(replay.json).toMatchObject({ replay_of: original.id, event_id: original.event_id, status: "pending" });
    const got = await waitFor(() => (receiver.on(ep.path).length === 2 ? receiver.on(ep.path) : undefined));
    expect(got[1]!.headers["webhook-id"]).toBe(got[0]!.headers["webhook-id"]);
    expect(got[1]!.body).toBe(got[0]!.body);
    verified(ep.secret, got[1]!);
  });

  it("rotates a secret: both signatures during the overlap, each verifiable", async () => {
    const ep = await endpoint("rotate", ["entry.needs_review"]);
    const rotated = await api("POST", `/v1/webhooks/${ep.id}/rotate`, { overlap_seconds: 3600 });
    expect(rotated.status).toBe(200);
    expect(rotated.json.secret).not.toBe(ep.secret);
    expect(rotated.json.previous_secret_expires_at).not.toBeNull();
    const { json } = await api("POST", "/v1/entries", entry);
    await sendNodeEvent(target, json.id, finished(1));
    const [req] = await waitFor(() => (receiver.on(ep.path).length === 1 ? receiver.on(ep.path) : undefined));
    expect(req!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    verified(rotated.json.secret, req!);
    verified(ep.secret, req!);
    // Without an overlap the old secret stops at once.
    const again = await api("POST", `/v1/webhooks/${ep.id}/rotate`, { overlap_seconds: 0 });
    const second = await api("POST", "/v1/entries", entry);
    await sendNodeEvent(target, second.json.id, finished(1));
    const [, req2] = await waitFor(() => (receiver.on(ep.path).length === 2 ? receiver.on(ep.path) : undefined));
    expect(req2!.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    verified(again.json.secret, req2!);
    expect(() => verified(rotated.json.secret, req2!)).toThrow();
    expect((await api("POST", `/v1/webhooks/${ep.id}/rotate`, { overlap_seconds: -5 })).status).toBe(422);
    expect((await api("POST", "/v1/webhooks/secret/rotate", "{bad")).status).toBe(400);
  });

  it("keeps endpoints and deliveries private to their key, and needs admin to change them", async () => {
    const ep = await endpoint("private", ["entry.needs_review"]);
    const { json } = await api("POST", "/v1/entries", entry);
    await sendNodeEvent(target, json.id, finished(1));
    const delivery = await waitFor(async () => (await api("GET", `/v1/webhooks/deliveries?endpoint_id=${ep.id}`)).json.data[0]);
    const other = client(target, await newKey(target, "other"));
    for (const [method, route] of [
      ["GET", `/v1/webhooks/${ep.id}`],
      ["DELETE", `/v1/webhooks/${ep.id}`],
      ["POST", `/v1/webhooks/${ep.id}/rotate`],
      ["POST", `/v1/webhooks/${ep.id}/enable`],
      ["GET", `/v1/webhooks/deliveries/${delivery.id}`],
      ["POST", `/v1/webhooks/deliveries/${delivery.id}/replay`],
    ] as const) {
      expect((await other(method, route)).status, `${method} ${route}`).toBe(404);
    }
    expect((await other("GET", "/v1/webhooks")).json.data).toEqual([]);
    expect((await other("GET", `/v1/webhooks/deliveries?entry_id=${json.id}`)).json.data).toEqual([]);
    expect((await other("GET", "/v1/webhooks/secret")).json.secret).not.toBe((await api("GET", "/v1/webhooks/secret")).json.secret);
    const reader = client(target, await newKey(target, "reader", ["read"]));
    expect((await reader("POST", "/v1/webhooks", { url: `${receiver.url}/r` })).status).toBe(403);
    expect((await reader("GET", "/v1/webhooks/secret")).status).toBe(403);
    expect((await reader("GET", "/v1/webhooks")).status).toBe(200);
    const fresh = client(target, await newKey(target, "many"));
    for (let i = 0; i < 20; i++) expect((await fresh("POST", "/v1/webhooks", { url: `${receiver.url}/many/${i}` })).status).toBe(201);
    const tooMany = await fresh("POST", "/v1/webhooks", { url: `${receiver.url}/many/x` });
    expect(tooMany.status).toBe(409);
    expect(tooMany.json.error.code).toBe("too_many_endpoints");
  });
});
