// Dispatch on both edge entries (Node, and the real Worker bundle under Miniflare with its scheduled
// handler): node registration and heartbeats, least-loaded placement, queueing with no node, the
// circuit breaker, the sweeper moving a silent node's job, pull-mode leases, and duplicate or
// reordered node callbacks. The nodes here are the GPU node's HTTP surface only (receivers.ts); the
// fault tests run the real GPU node.
import http from "node:http";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entries } from "../../edge/db/schema.ts";
import type { NodeEvent, NodeHeartbeat } from "../../shared/api/node-protocol.ts";
import { newSigningSecret, postSigned } from "../../shared/api/signing.ts";
import { client, newKey, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { sleep, startNodeSurface, startReceiver, waitFor, type NodeSurface, type Receiver } from "./receivers.ts";
import { finishedEvent } from "../support/node-events.ts";

const entry = { subject: "Theosis", tier: "B", category: "Theology" };
const staleMs = 1000;

const progress = (seq: number, status: NodeEvent["status"] = "sections"): NodeEvent =>
  ({ type: "progress", seq, status, step: `step ${seq}`, progress: seq / 20, words: 10 * seq, sections: { done: 0, total: 2 }, tokens: seq, eta_seconds: 5 }) as NodeEvent;
const finished = (seq: number): NodeEvent =>
  finishedEvent(seq, {
    sections: { done: 2, total: 2 },
    entry: { title: "Theosis", markdown: "# Theosis\n\n## I. One\n", sections: [{ title: "I. One", markdown: "## I. One", words: 9 }], words: 9, metadata: {} },
  });

/** A request with a Host header of the caller's choosing (fetch does not let one set it). */
function requestWithHost(url: string, method: string, host: string, headers: Record<string, string>, body?: unknown) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; json: any }>((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(url, { method, headers: { ...headers, host, ...(payload ? { "content-type": "application/json" } : {}) } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, json: text ? JSON.parse(text) : undefined }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** A deterministic shuffle (mulberry32), so a failure can be replayed. */
function shuffled<T>(items: T[], seed: number): T[] {
  let a = seed;
  const random = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe.each(["node", "worker"] as const)("dispatch on %s", (name) => {
  const secret = newSigningSecret();
  let target: EdgeTarget;
  let api: ReturnType<typeof client>;
  let receiver: Receiver;
  const surfaces: NodeSurface[] = [];
  const beats: (() => void)[] = [];

  const signed = async (route: string, body: unknown) => {
    const res = await postSigned(`${target.url}${route}`, secret, body);
    return { status: res.status, json: (await res.json()) as any };
  };
  const heartbeat = (hb: Partial<NodeHeartbeat> & { node_id: string }) => signed("/v1/node/heartbeat", { capacity: 2, active: 0, entries: [], ...hb });
  const event = (id: string, e: NodeEvent, node?: string) => signed(`/v1/node/entries/${id}/events${node ? `?node=${node}` : ""}`, e);
  const row = async (id: string) => (await target.db.select().from(entries).where(eq(entries.id, id)).get())!;

  /**
   * A node surface that heartbeats every 200 ms, listing the jobs it received. `busy` makes it report
   * no free room, so its heartbeats do not start dispatch passes (the test drives them instead).
   */
  async function liveNode(id: string, capacity: number, busy = false) {
    const surface = await startNodeSurface(secret);
    surfaces.push(surface);
    const beat = () =>
      heartbeat({ node_id: id, url: surface.url, capacity, active: busy ? capacity : 0, entries: surface.entries.map((j) => j.id as string) }).catch(() => undefined);
    await beat();
    const timer = setInterval(beat, 200);
    const stop = () => clearInterval(timer);
    beats.push(stop);
    return { surface, stop };
  }

  /** Cancels what a test left unfinished and lets its nodes go stale, so tests do not mix. */
  async function cleanUp(ids: string[], stops: (() => void)[]) {
    for (const stop of stops) stop();
    for (const id of ids) await api("POST", `/v1/entries/${id}/cancel`);
    await sleep(staleMs + 100);
  }

  beforeAll(async () => {
    receiver = await startReceiver();
    target = await startEdgeTarget(name, {
      OPUS_NODE_SECRET: secret,
      OPUS_NODE_HEARTBEAT_S: "0.2",
      OPUS_NODE_STALE_S: String(staleMs / 1000),
      OPUS_BREAKER_FAILURES: "3",
      OPUS_BREAKER_COOLDOWN_S: "1",
      OPUS_SCHEDULER_INTERVAL_MS: "3600000",
      OPUS_WEBHOOK_ALLOW_PRIVATE: "true",
    });
    api = client(target, await newKey(target, "dispatch"));
  });
  afterAll(async () => {
    for (const stop of beats) stop();
    await target?.close();
    for (const s of surfaces) await s.close();
    await receiver?.close();
  });

  it("keeps a job queued while no node is available and dispatches it when a node registers", async () => {
    const { json } = await api("POST", "/v1/entries", entry);
    await target.runScheduled();
    expect((await api("GET", `/v1/entries/${json.id}`)).json.status).toBe("queued");
    expect((await row(json.id)).nodeId).toBeNull();
    const a = await liveNode("node-a", 2);
    const [job] = await waitFor(() => (a.surface.entries.length === 1 ? a.surface.entries : undefined));
    expect(job).toMatchObject({ id: json.id, subject: "Theosis", tier: "B", seq_base: 0 });
    expect(job!.callback_url).toBe(`${target.url}/v1/node/entries/${json.id}/events?node=node-a`);
    expect(a.surface.badSignatures).toBe(0);
    expect((await row(json.id)).nodeId).toBe("node-a");
    expect((await api("GET", `/v1/entries/${json.id}`)).json.step).toBe("dispatched to GPU node node-a");
    const nodes = await api("GET", "/v1/nodes");
    expect(nodes.json.data).toEqual([expect.objectContaining({ id: "node-a", mode: "push", healthy: true, capacity: 2, assigned: 1, breaker: expect.objectContaining({ state: "closed" }) })]);
    expect((await client(target, await newKey(target, "r", ["read"]))("GET", "/v1/nodes")).status).toBe(403);
    await cleanUp([json.id], [a.stop]);
  });

  it("sends each job to the least loaded healthy node, and queues the rest until one finishes", async () => {
    const big = await liveNode("node-big", 4);
    const small = await liveNode("node-small", 2);
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      const { json } = await api("POST", "/v1/entries", { ...entry, subject: `Subject ${i}` });
      ids.push(json.id);
      if (i < 6) await waitFor(() => big.surface.entries.length + small.surface.entries.length === i + 1 || undefined, 10_000, `job ${i}`);
    }
    await sleep(300);
    expect(big.surface.entries.map((j) => j.id)).toEqual([ids[0], ids[2], ids[3], ids[5]]);
    expect(small.surface.entries.map((j) => j.id)).toEqual([ids[1], ids[4]]);
    expect((await row(ids[6]!)).nodeId).toBeNull();
    // A finished job frees a place on the small node: the waiting one goes there.
    expect((await event(ids[1]!, finished(1), "node-small")).json.applied).toBe(true);
    await waitFor(() => small.surface.entries.length === 3 || undefined);
    expect(small.surface.entries[2]!.id).toBe(ids[6]);
    await cleanUp(ids, [big.stop, small.stop]);
  });

  it("opens the circuit breaker on a failing node and stops calling it until the cool-down", async () => {
    const failing = await liveNode("node-failing", 4, true);
    failing.surface.status = 503;
    const { json } = await api("POST", "/v1/entries", entry);
    const opened = async () => (await api("GET", "/v1/nodes")).json.data.find((n: { id: string }) => n.id === "node-failing");
    await waitFor(() => failing.surface.calls === 1 || undefined); // the dispatch at submission
    await target.runScheduled();
    await target.runScheduled();
    const open = await waitFor(async () => ((await opened()).breaker.state === "open" ? await opened() : undefined));
    expect(open.breaker).toMatchObject({ failures: 3, last_error: "node answered 503" });
    const callsWhenOpened = failing.surface.calls;
    expect(callsWhenOpened).toBe(3);
    for (let i = 0; i < 3; i++) await target.runScheduled();
    await sleep(200);
    expect(failing.surface.calls).toBe(callsWhenOpened); // open: no calls
    expect((await row(json.id)).nodeId).toBeNull();
    // The public step says what a user needs; the node's error is for operators (the breaker above).
    const step = (await api("GET", `/v1/entries/${json.id}`)).json.step;
    expect(step).toBe("waiting for a GPU node");
    expect(step).not.toContain("503");
    // After the cool-down one trial call goes through; the node has recovered, so the breaker closes.
    failing.surface.status = 202;
    await sleep(1100);
    await target.runScheduled();
    await waitFor(() => failing.surface.entries.length === 1 || undefined);
    expect(failing.surface.calls).toBe(callsWhenOpened + 1);
    expect((await opened()).breaker).toMatchObject({ state: "closed", failures: 0 });
    expect((await row(json.id)).nodeId).toBe("node-failing");
    await cleanUp([json.id], [failing.stop]);
  });

  it("moves the job of a node that stopped heartbeating to another node, and tells the old one", async () => {
    const first = await liveNode("node-first", 2);
    const { json } = await api("POST", "/v1/entries", entry);
    await waitFor(() => first.surface.entries.length === 1 || undefined);
    for (const seq of [1, 2, 3]) expect((await event(json.id, progress(seq), "node-first")).json.applied).toBe(true);
    first.stop(); // the node goes silent
    const second = await liveNode("node-second", 2);
    await sleep(staleMs + 200);
    await target.runScheduled();
    const [moved] = await waitFor(() => (second.surface.entries.length === 1 ? second.surface.entries : undefined));
    // The new node numbers its events above what the edge already applied.
    expect(moved).toMatchObject({ id: json.id, seq_base: 3, callback_url: `${target.url}/v1/node/entries/${json.id}/events?node=node-second` });
    expect((await row(json.id)).nodeId).toBe("node-second");
    const late = await event(json.id, progress(4), "node-first");
    expect(late.json).toEqual({ applied: false, canceled: false, reassigned: true });
    expect((await event(json.id, progress(4), "node-second")).json.applied).toBe(true);
    const back = await heartbeat({ node_id: "node-first", url: first.surface.url, entries: [json.id] });
    expect(back.json.stop).toEqual([json.id]);
    expect((await api("GET", `/v1/entries/${json.id}`)).json).toMatchObject({ status: "sections", words: 40 });
    await cleanUp([json.id], [second.stop, () => undefined]);
  });

  it("leases jobs to a pull-mode node, stops canceled ones through heartbeats, and re-leases expired ones", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await api("POST", "/v1/entries", { ...entry, subject: `Pull ${i}` })).json.id);
    expect((await signed("/v1/node/lease", { node_id: "node-unknown", max: 1 })).status).toBe(409);
    expect((await heartbeat({ node_id: "node-pull", url: null, capacity: 2 })).status).toBe(200);
    const leased = await signed("/v1/node/lease", { node_id: "node-pull", max: 5 });
    expect(leased.status).toBe(200);
    expect(leased.json.entries.map((j: { id: string }) => j.id)).toEqual([ids[0], ids[1]]);
    expect(leased.json.entries[0].callback_url).toBe(`${target.url}/v1/node/entries/${ids[0]}/events?node=node-pull`);
    expect(leased.json.lease_ttl_ms).toBe(staleMs);
    expect((await signed("/v1/node/lease", { node_id: "node-pull", max: 5 })).json.entries).toEqual([]); // full
    expect((await event(ids[0]!, progress(1, "blueprint"), "node-pull")).json.applied).toBe(true);
    await api("POST", `/v1/entries/${ids[1]}/cancel`);
    const hb = await heartbeat({ node_id: "node-pull", url: null, capacity: 2, entries: [ids[0]!, ids[1]!] });
    expect(hb.json.stop).toEqual([ids[1]]);
    // The node disappears: its lease runs out and another pull node gets the job.
    await sleep(staleMs + 200);
    await target.runScheduled();
    expect((await row(ids[0]!)).nodeId).toBeNull();
    await heartbeat({ node_id: "node-pull-2", url: null, capacity: 4 });
    const again = await signed("/v1/node/lease", { node_id: "node-pull-2", max: 4 });
    expect(again.json.entries.map((j: { id: string; seq_base: number }) => [j.id, j.seq_base])).toEqual([
      [ids[0], 1],
      [ids[2], 0],
    ]);
    const invalid = await signed("/v1/node/lease", { node_id: "bad id!", max: 0 });
    expect(invalid.status).toBe(422);
    expect(invalid.json.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["max", "node_id"]);
    expect((await heartbeat({ node_id: "static", url: null })).status).toBe(422);
    const unsigned = await fetch(`${target.url}/v1/node/heartbeat`, { method: "POST", body: JSON.stringify({ node_id: "x", capacity: 1, active: 0 }) });
    expect(unsigned.status).toBe(401);
    await cleanUp(ids, []);
  });

  it("builds callback and link URLs from configuration, never from a forged Host header", async () => {
    const a = await liveNode("node-host", 2);
    const key = await newKey(target, "forger");
    const forged = "127.0.0.1:29999";
    const created = await requestWithHost(`${target.url}/v1/entries`, "POST", forged, { authorization: `Bearer ${key}` }, entry);
    expect(created.status).toBe(202);
    const [assignment] = await waitFor(() => (a.surface.entries.length === 1 ? a.surface.entries : undefined));
    expect(assignment!.callback_url).toBe(`${target.url}/v1/node/entries/${created.json.id}/events?node=node-host`);
    expect(created.json.urls.get).toBe(`${target.url}/v1/entries/${created.json.id}`);
    expect(created.headers.location).toBe(`${target.url}/v1/entries/${created.json.id}`);
    const polled = await requestWithHost(`${target.url}/v1/entries/${created.json.id}`, "GET", forged, { authorization: `Bearer ${key}` });
    expect(polled.json.urls.cancel).toBe(`${target.url}/v1/entries/${created.json.id}/cancel`);
    await cleanUp([created.json.id], [a.stop]);
  });

  it("dispatches a retried entry again, to resume from its checkpoints", async () => {
    const a = await liveNode("node-retry", 2);
    const { json } = await api("POST", "/v1/entries", entry);
    await waitFor(() => a.surface.entries.length === 1 || undefined);
    expect(a.surface.entries[0]).toMatchObject({ id: json.id, attempt: 0, seq_base: 0 });
    expect((await event(json.id, progress(1), "node-retry")).json.applied).toBe(true);
    const failedEvent = { ...progress(2, "failed"), type: "failed", error: { code: "generation_failed", message: "timed out" } } as NodeEvent;
    expect((await event(json.id, failedEvent, "node-retry")).json.applied).toBe(true);
    expect((await api("POST", `/v1/entries/${json.id}/retry`)).status).toBe(202);
    const [, again] = await waitFor(() => (a.surface.entries.length === 2 ? a.surface.entries : undefined));
    expect(again).toMatchObject({ id: json.id, attempt: 1, seq_base: 2 });
    expect((await event(json.id, progress(3), "node-retry")).json.applied).toBe(true);
    expect((await api("GET", `/v1/entries/${json.id}`)).json).toMatchObject({ status: "sections", error: null });
    await cleanUp([json.id], [a.stop]);
  });

  it("ends in the right state whatever the order and repetition of node callbacks, with one terminal webhook", async () => {
    const hooks = await api("POST", "/v1/webhooks", { url: `${receiver.url}/order`, events: ["entry.needs_review", "entry.succeeded", "entry.failed", "entry.canceled"] });
    expect(hooks.status).toBe(201);
    for (const seed of [1, 2, 3]) {
      const { json } = await api("POST", "/v1/entries", entry);
      const events = [...Array.from({ length: 8 }, (_, i) => progress(i + 1, i < 2 ? "blueprint" : "sections")), finished(9)];
      const noisy = shuffled([...events, ...events, events[3]!, events[8]!], seed);
      // Deliver in shuffled order, several at once.
      for (let i = 0; i < noisy.length; i += 4) await Promise.all(noisy.slice(i, i + 4).map((e) => event(json.id, e)));
      const status = (await api("GET", `/v1/entries/${json.id}`)).json;
      expect(status).toMatchObject({ status: "needs_review", words: 9, progress: 1 });
      expect(status.transitions.filter((t: { status: string }) => t.status === "needs_review")).toHaveLength(1);
      expect((await row(json.id)).eventSeq).toBe(9);
      expect((await api("GET", `/v1/entries/${json.id}/content`)).text).toContain("## I. One");
      const terminal = await waitFor(async () => {
        const d = (await api("GET", `/v1/webhooks/deliveries?entry_id=${json.id}`)).json.data;
        return d.length > 0 && d.every((x: { status: string }) => x.status === "succeeded") ? d : undefined;
      });
      expect(terminal.map((d: { event_type: string }) => d.event_type)).toEqual(["entry.needs_review"]);
    }
    await sleep(200);
    const bodies = receiver.on("/order").map((r) => JSON.parse(r.body));
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies.map((b) => b.data.id)).size).toBe(3);
  });
});

describe.each(["node", "worker"] as const)("the static node (OPUS_GPU_NODE_URL) on %s", (name) => {
  const secret = newSigningSecret();
  let target: EdgeTarget;
  let surface: NodeSurface;

  beforeAll(async () => {
    surface = await startNodeSurface(secret);
    surface.capacity = 2;
    target = await startEdgeTarget(name, { OPUS_NODE_SECRET: secret, OPUS_GPU_NODE_URL: surface.url, OPUS_SCHEDULER_INTERVAL_MS: "3600000" });
  });
  afterAll(async () => {
    await target?.close();
    await surface?.close();
  });

  it("gets as many entries as it says it writes at once, and the rest wait their turn", async () => {
    const api = client(target, await newKey(target, "static"));
    const ids: string[] = [];
    // Submitted at once, before the node has said anything about its capacity.
    for (const r of await Promise.all(Array.from({ length: 5 }, (_, i) => api("POST", "/v1/entries", { ...entry, subject: `Static ${i}` })))) ids.push(r.json.id);
    await waitFor(() => surface.entries.length === 2 || undefined, 10_000, "two assignments");
    await target.runScheduled();
    await sleep(300);
    expect(surface.entries).toHaveLength(2);
    const nodes = (await api("GET", "/v1/nodes")).json.data;
    expect(nodes).toEqual([expect.objectContaining({ id: "static", mode: "static", capacity: 2, assigned: 2 })]);
    const waiting = await Promise.all(ids.map(async (id) => (await api("GET", `/v1/entries/${id}`)).json.status));
    expect(waiting.every((s) => s === "queued")).toBe(true);
    // One finishes: exactly one more goes to the node; the others keep waiting, never failed.
    const first = surface.entries[0]!.id as string;
    const finishedOne = await postSigned(`${target.url}/v1/node/entries/${first}/events?node=static`, secret, finished(1));
    expect(finishedOne.status).toBe(200);
    await waitFor(() => surface.entries.length === 3 || undefined, 10_000, "the third assignment");
    await sleep(300);
    expect(surface.entries).toHaveLength(3);
    const statuses = await Promise.all(ids.map(async (id) => (await api("GET", `/v1/entries/${id}`)).json.status));
    expect(statuses.filter((s) => s === "queued")).toHaveLength(4);
    expect(statuses.filter((s) => s === "needs_review")).toHaveLength(1);
  });
});
