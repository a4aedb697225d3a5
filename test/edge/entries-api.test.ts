// The public entries API, run against both edge entries: Node (embedded default) and the real
// Worker bundle under Miniflare, each on a real libSQL database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSigningSecret } from "../../shared/api/signing.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { readEdgeConfig } from "../../edge/config.ts";
import { client, newKey, sendNodeEvent, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { finishedEvent, passingEntry } from "../support/node-events.ts";
import { startTestWorker } from "../support/worker.ts";

const valid = { subject: "Theosis", tier: "S", category: "Theology" };

const progress = (seq: number, status: NodeEvent["status"], extra: Partial<NodeEvent> = {}): NodeEvent =>
  ({ type: "progress", seq, status, step: status, progress: 0.5, words: 100 * seq, sections: { done: 1, total: 6 }, tokens: 10, eta_seconds: 30, ...extra }) as NodeEvent;

const finished = (seq: number): NodeEvent => finishedEvent(seq, { status: "succeeded", step: "finished", words: 12, tokens: 40, entry: passingEntry });

describe.each(["node", "worker"] as const)("entries API on %s", (name) => {
  let target: EdgeTarget;
  let key: string;
  let otherKey: string;
  let api: ReturnType<typeof client>;

  beforeAll(async () => {
    target = await startEdgeTarget(name, { OPUS_NODE_SECRET: newSigningSecret() });
    key = await newKey(target, "alice");
    otherKey = await newKey(target, "bob");
    api = client(target, key);
  });
  afterAll(async () => {
    await target?.close();
  });

  it("creates an entry: 202 with id, status and urls", async () => {
    const res = await api("POST", "/v1/entries", { ...valid, seed: 42 });
    expect(res.status).toBe(202);
    expect(res.json.id).toMatch(/^ent_[0-9a-z]{26}$/);
    expect(res.json.status).toBe("queued");
    expect(res.json.urls).toEqual({
      get: `${target.url}/v1/entries/${res.json.id}`,
      content: `${target.url}/v1/entries/${res.json.id}/content`,
      cancel: `${target.url}/v1/entries/${res.json.id}/cancel`,
    });
    expect(res.headers.get("location")).toBe(res.json.urls.get);
    const status = await api("GET", `/v1/entries/${res.json.id}`);
    expect(status.status).toBe(200);
    expect(status.json).toMatchObject({ id: res.json.id, subject: "Theosis", tier: "S", status: "queued", progress: 0, words: 0, seed: 42, error: null });
    expect(status.json.transitions).toEqual([{ status: "queued", at: status.json.created_at }]);
  });

  it("rejects invalid bodies with 422 naming each field", async () => {
    const res = await api("POST", "/v1/entries", { subject: "", tier: "Z", category: "Theology", seed: -1, webhook_url: "ftp://x" });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe("invalid_request");
    const fields = res.json.error.fields.map((f: { field: string }) => f.field).sort();
    expect(fields).toEqual(["seed", "subject", "tier", "webhook_url"]);
    const missing = await api("POST", "/v1/entries", { subject: "Theosis" });
    expect(missing.status).toBe(422);
    expect(missing.json.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["category", "tier"]);
    const extra = await api("POST", "/v1/entries", { ...valid, colour: "red" });
    expect(extra.status).toBe(422);
    expect(JSON.stringify(extra.json.error.fields)).toContain("colour");
  });

  it("answers malformed JSON with 400, oversized bodies with 413, unknown routes with 404", async () => {
    const bad = await api("POST", "/v1/entries", "{not json");
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe("bad_request");
    const huge = await api("POST", "/v1/entries", { ...valid, subject: "x".repeat(100_000) });
    expect(huge.status).toBe(413);
    expect(huge.json.error.code).toBe("payload_too_large");
    const unknown = await api("GET", "/v1/nothing-here");
    expect(unknown.status).toBe(404);
    expect(unknown.json.error.code).toBe("not_found");
    const wrongMethod = await api("DELETE", "/v1/entries");
    expect(wrongMethod.status).toBe(404);
  });

  it("requires a valid bearer key: 401 otherwise, with the same error shape", async () => {
    const none = await client(target)("GET", "/v1/entries");
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe("unauthorized");
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await client(target, "opus_sk_not_a_real_key_at_all")("GET", "/v1/entries");
    expect(wrong.status).toBe(401);
    const malformed = await client(target)("GET", "/v1/entries", undefined, { authorization: "Basic abc" });
    expect(malformed.status).toBe(401);
  });

  it("hides one key's entries from another key (404)", async () => {
    const mine = await api("POST", "/v1/entries", valid);
    const theirs = client(target, otherKey);
    for (const [method, route] of [
      ["GET", `/v1/entries/${mine.json.id}`],
      ["GET", `/v1/entries/${mine.json.id}/content`],
      ["POST", `/v1/entries/${mine.json.id}/cancel`],
    ] as const) {
      const res = await theirs(method, route);
      expect(res.status, `${method} ${route}`).toBe(404);
      expect(res.json.error.code).toBe("entry_not_found");
    }
    // A conditional poll, even one that matches anything, learns nothing either.
    const etag = (await api("GET", `/v1/entries/${mine.json.id}`)).headers.get("etag")!;
    for (const tag of [etag, "*"]) {
      const res = await theirs("GET", `/v1/entries/${mine.json.id}`, undefined, { "if-none-match": tag });
      expect(res.status, tag).toBe(404);
    }
    const list = await theirs("GET", "/v1/entries");
    expect(list.json.data.map((e: { id: string }) => e.id)).not.toContain(mine.json.id);
    expect((await api("GET", `/v1/entries/${mine.json.id}`)).status).toBe(200);
  });

  it("replays an Idempotency-Key with the same body and refuses it with another body", async () => {
    const headers = { "idempotency-key": `idem-${name}-1` };
    const first = await api("POST", "/v1/entries", valid, headers);
    const again = await api("POST", "/v1/entries", valid, headers);
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.json).toEqual(first.json);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    const reordered = await api("POST", "/v1/entries", { category: "Theology", tier: "S", subject: "Theosis" }, headers);
    expect(reordered.json.id).toBe(first.json.id);
    const other = await api("POST", "/v1/entries", { ...valid, subject: "Hesychasm" }, headers);
    expect(other.status).toBe(409);
    expect(other.json.error.code).toBe("idempotency_key_reused");
    // The same key string under another API key is a different key.
    const bob = await client(target, otherKey)("POST", "/v1/entries", valid, headers);
    expect(bob.status).toBe(202);
    expect(bob.json.id).not.toBe(first.json.id);
    const concurrent = await Promise.all(Array.from({ length: 5 }, () => api("POST", "/v1/entries", valid, { "idempotency-key": `idem-${name}-race` })));
    expect(new Set(concurrent.map((r) => r.json.id)).size).toBe(1);
    const bad = await api("POST", "/v1/entries", valid, { "idempotency-key": "has space" });
    expect(bad.status).toBe(422);
    expect(bad.json.error.fields[0].field).toBe("Idempotency-Key");
  });

  it("sends an ETag and answers 304 until the entry changes", async () => {
    const { json } = await api("POST", "/v1/entries", valid);
    const first = await api("GET", `/v1/entries/${json.id}`);
    const etag = first.headers.get("etag")!;
    expect(etag).toMatch(/^W\/".+"$/);
    const same = await api("GET", `/v1/entries/${json.id}`, undefined, { "if-none-match": etag });
    expect(same.status).toBe(304);
    expect(same.text).toBe("");
    expect(same.headers.get("etag")).toBe(etag);
    expect((await api("GET", `/v1/entries/${json.id}`, undefined, { "if-none-match": `W/"stale", ${etag}` })).status).toBe(304);
    await sendNodeEvent(target, json.id, progress(1, "sections"));
    const changed = await api("GET", `/v1/entries/${json.id}`, undefined, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(changed.json).toMatchObject({ status: "sections", words: 100, sections: { done: 1, total: 6 }, eta_seconds: 30 });
  });

  it("compares If-None-Match weakly (RFC 9110): the strong form, lists and * match", async () => {
    const { json } = await api("POST", "/v1/entries", valid);
    const etag = (await api("GET", `/v1/entries/${json.id}`)).headers.get("etag")!;
    const strong = etag.replace(/^W\//, "");
    const poll = async (header: string) => (await api("GET", `/v1/entries/${json.id}`, undefined, { "if-none-match": header })).status;
    expect(await poll(strong)).toBe(304);
    expect(await poll(`"other",${strong}`)).toBe(304);
    expect(await poll(`  W/"other" ,  ${strong}  `)).toBe(304);
    expect(await poll("*")).toBe(304);
    expect(await poll(`"other", W/"x.1"`)).toBe(200);
    expect(await poll(strong.slice(0, -2) + '9"')).toBe(200);
  });

  it("answers a burst of concurrent polls, more than a libSQL client runs at once, each with its own entry", async () => {
    // On the Worker each request has its own database client: a client shared by the isolate queues
    // calls past its limit (20) and starts them from another request, which workerd refuses (500s).
    const created = await Promise.all(Array.from({ length: 4 }, () => api("POST", "/v1/entries", valid)));
    const ids = created.map((r) => r.json.id as string);
    const polls = await Promise.all(Array.from({ length: 200 }, (_, i) => api("GET", `/v1/entries/${ids[i % ids.length]}`)));
    expect(polls.map((r) => r.status)).toEqual(polls.map(() => 200));
    expect(polls.map((r) => r.json.id)).toEqual(polls.map((_, i) => ids[i % ids.length]));
  });

  it("retries a failed entry: back to queued with its record, 409 with the status otherwise", async () => {
    const { json } = await api("POST", "/v1/entries", valid);
    await sendNodeEvent(target, json.id, progress(1, "sections", { words: 300, progress: 0.4 }));
    const failedEvent = { ...progress(2, "failed", { words: 300, progress: 0.4 }), type: "failed", error: { code: "generation_failed", message: "timeout" } } as NodeEvent;
    expect((await sendNodeEvent(target, json.id, failedEvent)).json.applied).toBe(true);
    const retried = await api("POST", `/v1/entries/${json.id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.json).toMatchObject({ status: "queued", error: null, words: 300, progress: 0.4 });
    expect(retried.json.transitions.map((t: { status: string }) => t.status)).toEqual(["queued", "sections", "failed", "queued"]);
    expect((await api("GET", `/v1/entries/${json.id}`)).json.status).toBe("queued");
    // Already queued again: not failed, so 409 naming the status.
    const again = await api("POST", `/v1/entries/${json.id}/retry`);
    expect(again.status).toBe(409);
    expect(again.json.error).toMatchObject({ code: "entry_not_failed" });
    expect(again.json.error.message).toContain("queued");
    // A node resuming it numbers its events above the ones already applied; progress keeps its place.
    expect((await sendNodeEvent(target, json.id, progress(3, "sections", { words: 350, progress: 0.08 }))).json.applied).toBe(true);
    expect((await api("GET", `/v1/entries/${json.id}`)).json).toMatchObject({ status: "sections", words: 350, progress: 0.4 });
    const done = await api("POST", "/v1/entries", valid);
    await sendNodeEvent(target, done.json.id, finished(1));
    const finishedRetry = await api("POST", `/v1/entries/${done.json.id}/retry`);
    expect(finishedRetry.status).toBe(409);
    expect(finishedRetry.json.error.message).toContain("needs_review");
    expect((await api("POST", "/v1/entries/ent_doesnotexist/retry")).status).toBe(404);
    expect((await client(target, otherKey)("POST", `/v1/entries/${json.id}/retry`)).status).toBe(404);
    const reader = client(target, await newKey(target, "reader", ["read"]));
    expect((await reader("POST", `/v1/entries/${json.id}/retry`)).json.error.code).toBe("forbidden");
  });

  it("serves content as Markdown by default and JSON on request, 409 before it exists", async () => {
    const { json } = await api("POST", "/v1/entries", valid);
    const early = await api("GET", `/v1/entries/${json.id}/content`);
    expect(early.status).toBe(409);
    expect(early.json.error.code).toBe("entry_not_ready");
    expect((await sendNodeEvent(target, json.id, finished(1))).json).toEqual({ applied: true, canceled: false });
    const md = await api("GET", `/v1/entries/${json.id}/content`);
    expect(md.status).toBe(200);
    expect(md.headers.get("content-type")).toContain("text/markdown");
    expect(md.text).toContain("## I. Union");
    const asJson = await api("GET", `/v1/entries/${json.id}/content`, undefined, { accept: "application/json" });
    expect(asJson.json).toMatchObject({ id: json.id, title: "Theosis", words: 12, sections: [{ title: "I. Union", words: 9 }] });
    expect(asJson.json.metadata).toMatchObject({ seed: 1, prompt_version: "test" });
    expect((await api("GET", `/v1/entries/${json.id}/content?format=json`)).json.id).toBe(json.id);
    const refused = await api("GET", `/v1/entries/${json.id}/content`, undefined, { accept: "image/png" });
    expect(refused.status).toBe(406);
    const status = await api("GET", `/v1/entries/${json.id}`);
    // The node called it a success, but the edge's own validators find a 12-word tier-S entry far
    // too short: it goes to review, with the edge's report in its metadata.
    expect(status.json).toMatchObject({ status: "needs_review", progress: 1, eta_seconds: null });
    expect(status.json.transitions.map((t: { status: string }) => t.status)).toEqual(["queued", "needs_review"]);
    expect(asJson.json.metadata.edge_validation.issues.map((i: { rule: string }) => i.rule)).toContain("structure/word-count");
  });

  it("lists entries newest first with cursor pagination and a status filter", async () => {
    const fresh = client(target, await newKey(target, "lister"));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await fresh("POST", "/v1/entries", { ...valid, subject: `Subject ${i}` })).json.id);
    const page1 = await fresh("GET", "/v1/entries?limit=2");
    expect(page1.status).toBe(200);
    expect(page1.json.data.map((e: { id: string }) => e.id)).toEqual([ids[4], ids[3]]);
    const page2 = await fresh("GET", `/v1/entries?limit=2&cursor=${page1.json.next_cursor}`);
    expect(page2.json.data.map((e: { id: string }) => e.id)).toEqual([ids[2], ids[1]]);
    const page3 = await fresh("GET", `/v1/entries?limit=2&cursor=${page2.json.next_cursor}`);
    expect(page3.json.data.map((e: { id: string }) => e.id)).toEqual([ids[0]]);
    expect(page3.json.next_cursor).toBeNull();
    await fresh("POST", `/v1/entries/${ids[1]}/cancel`);
    const canceled = await fresh("GET", "/v1/entries?status=canceled");
    expect(canceled.json.data.map((e: { id: string }) => e.id)).toEqual([ids[1]]);
    expect((await fresh("GET", "/v1/entries?status=bogus")).status).toBe(422);
    expect((await fresh("GET", "/v1/entries?limit=1000")).json.error.fields[0].field).toBe("limit");
    expect((await fresh("GET", "/v1/entries?cursor=%%%")).json.error.fields[0].field).toBe("cursor");
  });

  it("cancels idempotently, and refuses to cancel a finished entry", async () => {
    const { json } = await api("POST", "/v1/entries", valid);
    const first = await api("POST", `/v1/entries/${json.id}/cancel`);
    expect(first.status).toBe(200);
    expect(first.json.status).toBe("canceled");
    const second = await api("POST", `/v1/entries/${json.id}/cancel`);
    expect(second.status).toBe(200);
    expect(second.json.transitions).toEqual(first.json.transitions);
    // A node that reports on a canceled job is told to stop, and changes nothing.
    expect((await sendNodeEvent(target, json.id, progress(1, "sections"))).json).toEqual({ applied: false, canceled: true });
    const done = await api("POST", "/v1/entries", valid);
    await sendNodeEvent(target, done.json.id, finished(1));
    const refused = await api("POST", `/v1/entries/${done.json.id}/cancel`);
    expect(refused.status).toBe(409);
    expect(refused.json.error.code).toBe("entry_finished");
    expect((await api("POST", "/v1/entries/ent_doesnotexist/cancel")).status).toBe(404);
  });

  it("accepts node events only when signed, and ignores repeated or stale ones", async () => {
    const { json } = await api("POST", "/v1/entries", valid);
    expect((await sendNodeEvent(target, json.id, progress(1, "blueprint"), newSigningSecret())).status).toBe(401);
    const unsigned = await fetch(`${target.url}/v1/node/entries/${json.id}/events`, { method: "POST", body: JSON.stringify(progress(1, "blueprint")) });
    expect(unsigned.status).toBe(401);
    expect((await sendNodeEvent(target, json.id, progress(2, "sections", { words: 200 }))).json.applied).toBe(true);
    expect((await sendNodeEvent(target, json.id, progress(2, "sections", { words: 999 }))).json.applied).toBe(false);
    expect((await sendNodeEvent(target, json.id, progress(1, "blueprint"))).json.applied).toBe(false);
    const status = await api("GET", `/v1/entries/${json.id}`);
    expect(status.json).toMatchObject({ status: "sections", words: 200 });
    const invalid = await sendNodeEvent(target, json.id, { ...progress(3, "sections"), progress: 7 } as NodeEvent);
    expect(invalid.status).toBe(422);
    expect((await sendNodeEvent(target, "ent_00000000000000000000000000", progress(1, "sections"))).status).toBe(404);
    const failed = await sendNodeEvent(target, json.id, { ...progress(4, "failed"), type: "failed", error: { code: "generation_failed", message: "model crashed" } } as NodeEvent);
    expect(failed.json.applied).toBe(true);
    expect((await api("GET", `/v1/entries/${json.id}`)).json.error).toEqual({ code: "generation_failed", message: "model crashed" });
  });

  it("reports health: liveness without dependencies, readiness with the database", async () => {
    const live = await client(target)("GET", "/health/live");
    expect(live.json).toEqual({ status: "ok" });
    const ready = await client(target)("GET", "/health");
    expect(ready.status).toBe(200);
    expect(ready.json.status).toBe("ok");
    expect(ready.json.db.ok).toBe(true);
  });
});

describe("the Worker without OPUS_PUBLIC_URL", () => {
  it("refuses to serve (503 naming no secret) rather than build links from a request's Host", async () => {
    const worker = await startTestWorker({ OPUS_NODE_SECRET: newSigningSecret(), OPUS_PUBLIC_URL: "" });
    try {
      const res = await fetch(`${worker.url}/v1/entries`, { headers: { authorization: "Bearer opus_sk_whatever" } });
      expect(res.status).toBe(503);
      expect(((await res.json()) as any).error.code).toBe("not_configured");
    } finally {
      await worker.close();
    }
  });

  it("names OPUS_PUBLIC_URL in the configuration error", () => {
    expect(() => readEdgeConfig({ OPUS_DB_URL: "http://127.0.0.1:1", OPUS_NODE_SECRET: newSigningSecret() }, { requirePublicUrl: true })).toThrow(/OPUS_PUBLIC_URL: required/);
    expect(readEdgeConfig({ OPUS_DB_URL: "http://127.0.0.1:1", OPUS_NODE_SECRET: newSigningSecret(), OPUS_PUBLIC_URL: "https://opus.example.org/" }, { requirePublicUrl: true }).publicUrl).toBe("https://opus.example.org");
  });
});
