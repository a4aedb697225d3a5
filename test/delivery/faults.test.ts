// Faults with the real parts: a real GPU node (node-llama-cpp on the test model, a small pipeline
// configuration so an entry takes seconds), the edge's Node entry, webhooks to a local receiver.
// 1. The GPU node process (pull mode, registered with heartbeats) is killed with SIGKILL in the
//    middle of an entry and restarted: the entry completes once, with no repeated section or
//    paragraph, exactly one terminal webhook event, and a progress that never went back.
// 2. The edge process is killed in the middle of a job (the node in push mode) and restarted on the
//    same database: the job completes, its content and its terminal webhook event are not lost.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { afterAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../edge/auth.ts";
import { webhookDeliveries } from "../../edge/db/schema.ts";
import { openEdgeDb } from "../../edge/node.ts";
import type { RunningGpuNode } from "../../gpu-node/main.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { client, newKey, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { startTestNode, testNodeEnv } from "../support/gpu-node.ts";
import { startReceiver, waitFor, type Receiver } from "./receivers.ts";
import { freePort } from "../support/net.ts";
import { runCli } from "../support/cli.ts";
import { entryHangGuardMs, smallTier } from "../support/bounds.ts";
import { InProcessNode, NodeProcess, killHard, serve, type ServedProcess } from "../support/node-restart.ts";

/** A small entry: three short sections, no expansion or correction rounds. */
const smallPipeline = smallTier("B", { minWords: 450, sections: 3, paragraphWords: 60 });
const terminal = ["succeeded", "needs_review", "failed", "canceled"];
const edgeTiming = { OPUS_NODE_HEARTBEAT_S: "0.5", OPUS_NODE_STALE_S: "2", OPUS_SCHEDULER_INTERVAL_MS: "250", OPUS_WEBHOOK_ALLOW_PRIVATE: "true", OPUS_WEBHOOK_RETRY_SCHEDULE: "0,0.5,1,2,4,8" };

/** Checks the finished Markdown: each section heading and each paragraph appears once. */
function expectNoRepeats(markdown: string, sections: number) {
  const headings = markdown.split("\n").filter((l) => l.startsWith("## "));
  expect(headings.map((h) => h.split(".")[0])).toEqual(["## I", "## II", "## III"].slice(0, sections));
  const paragraphs = markdown.split("\n").filter((l) => l.startsWith("\u00a0"));
  expect(paragraphs.length).toBeGreaterThan(0);
  expect(new Set(paragraphs).size).toBe(paragraphs.length);
}

/** Events the receiver got, verified with the standardwebhooks library. */
function received(receiver: Receiver, secret: string, route: string) {
  return receiver.on(route).map((r) => ({
    id: r.headers["webhook-id"]!,
    payload: new Webhook(secret).verify(r.body, { "webhook-id": r.headers["webhook-id"]!, "webhook-timestamp": r.headers["webhook-timestamp"]!, "webhook-signature": r.headers["webhook-signature"]! }) as {
      type: string;
      data: { id: string; status: string };
    },
  }));
}

/** The distinct webhook-ids of one event type: a retried delivery keeps its id, a new event does not. */
const eventIds = (events: ReturnType<typeof received>, type: string) => [...new Set(events.filter((e) => e.payload.type === type).map((e) => e.id))];

describe("faults", () => {
  const children: ServedProcess[] = [];
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const child of children) await killHard(child);
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  it("a GPU node killed mid-entry and restarted finishes the entry once, with one terminal event", async () => {
    const secret = newSigningSecret();
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const edge: EdgeTarget = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret, ...edgeTiming });
    closers.push(edge.close);
    const api = client(edge, await newKey(edge));
    const hook = (await api("POST", "/v1/webhooks", { url: `${receiver.url}/node-kill` })).json;

    const dir = mkdtempSync(path.join(os.tmpdir(), "opus-fault-node-"));
    const nodeEnv = {
      ...testNodeEnv(dir, smallPipeline),
      OPUS_NODE_SECRET: secret,
      OPUS_EDGE_URL: edge.url,
      OPUS_NODE_ID: "node-fault",
      OPUS_NODE_MODE: "pull",
      OPUS_NODE_CAPACITY: "1",
      OPUS_LEASE_POLL_MS: "200",
    };
    const node = new NodeProcess(nodeEnv);
    closers.push(() => node.close());
    await node.start();
    const { json } = await api("POST", "/v1/entries", { subject: "Holy Icons", tier: "B", category: "Theology", seed: 77 });
    const id = json.id as string;
    // Every progress the status shows, polled tightly from submission to the end (the restarted
    // node reports as if it started over; the edge must not show that).
    const shown: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const s = (await api("GET", `/v1/entries/${id}`)).json;
        if (shown.at(-1) !== s.progress) shown.push(s.progress);
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    const midway = await waitFor(async () => {
      const s = (await api("GET", `/v1/entries/${id}`)).json;
      return s.status === "sections" && s.words >= 60 ? s : undefined;
    }, entryHangGuardMs, "the node to be writing sections");
    await node.kill();
    expect((await api("GET", `/v1/entries/${id}`)).json.status).not.toMatch(/succeeded|needs_review/);

    await node.start();
    const final = await waitFor(async () => {
      const s = (await api("GET", `/v1/entries/${id}`)).json;
      return terminal.includes(s.status) ? s : undefined;
    }, entryHangGuardMs, "the entry to finish");
    polling = false;
    await poller;
    if (shown.at(-1) !== final.progress) shown.push(final.progress);
    expect(["succeeded", "needs_review"]).toContain(final.status);
    expect(final.words).toBeGreaterThanOrEqual(midway.words);
    // Progress never went back, across the kill and the restart.
    expect(shown.length).toBeGreaterThan(3);
    expect(shown.filter((p, i) => i > 0 && p < shown[i - 1]!), `progress shown: ${shown.join(", ")}`).toEqual([]);
    expect(final.progress).toBe(1);
    expect(final.transitions.filter((t: { status: string }) => terminal.includes(t.status))).toHaveLength(1);
    expectNoRepeats((await api("GET", `/v1/entries/${id}/content`)).text, 3);
    // The restarted node picked the entry up from its checkpoints by itself.
    expect(node.output()).toContain(`resuming 1 unfinished entry: ${id}`);

    // Webhooks: one started and one terminal event for the entry, each sent once (no retries needed).
    await waitFor(async () => {
      const d = await edge.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.entryId, id)).all();
      return d.length > 0 && d.every((x) => x.status === "succeeded") ? d : undefined;
    });
    const events = received(receiver, hook.secret, "/node-kill").filter((e) => e.payload.data.id === id);
    expect(eventIds(events, `entry.${final.status}`)).toHaveLength(1);
    expect(eventIds(events, "entry.started")).toHaveLength(1);
    expect(events.filter((e) => ["entry.succeeded", "entry.needs_review", "entry.failed", "entry.canceled"].includes(e.payload.type))).toHaveLength(1);
    await node.kill();
  }, entryHangGuardMs);

  it("four entries submitted at once to one node all finish: dispatched by the node's real capacity, the rest wait", async () => {
    const secret = newSigningSecret();
    const nodePort = await freePort();
    const edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret, OPUS_GPU_NODE_URL: `http://127.0.0.1:${nodePort}`, ...edgeTiming });
    closers.push(edge.close);
    // Its engine writes two entries at once; nothing tells the edge so but the node itself.
    const node = await startTestNode(secret, { ...smallPipeline, OPUS_SEQUENCES: "2", OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static" }, undefined, nodePort);
    closers.push(node.close);
    const api = client(edge, await newKey(edge));
    const created = await Promise.all(["Theosis", "Hesychasm", "Holy Icons", "Liturgy"].map((subject, i) => api("POST", "/v1/entries", { subject, tier: "B", category: "Theology", seed: 40 + i })));
    const ids = created.map((r) => r.json.id as string);
    let mostAssigned = 0;
    let capacity: number | undefined;
    const finals = await waitFor(async () => {
      const view = (await api("GET", "/v1/nodes")).json.data.find((n: { id: string }) => n.id === "static");
      if (view) {
        mostAssigned = Math.max(mostAssigned, view.assigned);
        capacity = view.capacity;
      }
      const all = await Promise.all(ids.map(async (id) => (await api("GET", `/v1/entries/${id}`)).json));
      return all.every((s) => terminal.includes(s.status)) ? all : undefined;
    }, entryHangGuardMs, "all four entries to finish");
    expect(finals.map((s) => s.status).filter((s) => !["succeeded", "needs_review"].includes(s)), JSON.stringify(finals.map((s) => s.error))).toEqual([]);
    expect(capacity).toBe(2);
    expect(mostAssigned).toBeLessThanOrEqual(2);
    await node.close();
    closers.splice(closers.indexOf(node.close), 1);
  }, entryHangGuardMs);

  it("a failed entry retried through the edge (`opus retry`) resumes from its checkpoints with every word it had", async () => {
    const secret = newSigningSecret();
    const nodePort = await freePort();
    const edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret, OPUS_GPU_NODE_URL: `http://127.0.0.1:${nodePort}`, ...edgeTiming });
    closers.push(edge.close);
    const key = await newKey(edge);
    const api = client(edge, key);
    const folder = new InProcessNode(secret, { ...smallPipeline, OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static" }, undefined, nodePort);
    closers.push(() => folder.stop());
    const { dir } = folder;

    // 1. The node writes part of the entry, then stops (the entry stays resumable on it).
    let node = await folder.start();
    const { json } = await api("POST", "/v1/entries", { subject: "Holy Icons", tier: "B", category: "Theology", seed: 9 });
    const id = json.id as string;
    await waitFor(async () => ((await node.checkpoints.steps(id)).filter((s) => s.kind === "paragraph").length >= 2 ? true : undefined), entryHangGuardMs, "two paragraphs");
    await folder.stop();
    // 2. Restarted with a time limit nothing can meet and no retries: the resumed entry fails.
    node = await folder.start({ OPUS_REQUEST_TIMEOUT_MS: "1", OPUS_PIPELINE__STEP_RETRIES: "0" });
    const failed = await waitFor(async () => {
      const s = (await api("GET", `/v1/entries/${id}`)).json;
      return s.status === "failed" ? s : undefined;
    }, entryHangGuardMs, "the entry to fail");
    await node.runner.settled(id);
    const written = (await node.checkpoints.find(id))!.draft!.sections.flatMap((s) => s.paragraphs).filter((p): p is string => Boolean(p));
    expect(written.length).toBeGreaterThanOrEqual(2);
    await folder.stop();

    // 3. The node as it should be, and the user's retry through the CLI against the running edge.
    node = await folder.start();
    const cli = await runCli(["retry", id, "--edge", edge.url, "--key", key], { cwd: dir, env: { OPUS_HOME: path.join(dir, ".opus-cli"), OPUS_EDGE_URL: undefined, OPUS_API_KEY: undefined, OPUS_PROFILE: undefined } });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(`${id}: queued again (${failed.words} words kept)`);
    const final = await waitFor(async () => {
      const s = (await api("GET", `/v1/entries/${id}`)).json;
      return ["succeeded", "needs_review", "canceled"].includes(s.status) || (s.status === "failed" && s.updated_at !== failed.updated_at) ? s : undefined;
    }, entryHangGuardMs, "the retried entry to finish");
    expect(["succeeded", "needs_review"]).toContain(final.status);
    expect(final.error).toBeNull();
    expect(final.progress).toBe(1);
    const moves = final.transitions.map((t: { status: string }) => t.status);
    expect(moves.slice(moves.indexOf("failed"), moves.indexOf("failed") + 2)).toEqual(["failed", "queued"]);
    const markdown = (await api("GET", `/v1/entries/${id}/content`)).text;
    for (const paragraph of written) expect(markdown).toContain(paragraph);
    await folder.stop();
  }, entryHangGuardMs);

  it("an edge restarted mid-job loses nothing: the job finishes and its terminal event is delivered", async () => {
    const secret = newSigningSecret();
    const receiver = await startReceiver();
    closers.push(receiver.close);
    const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), "opus-fault-edge-")), "edge.db");
    const dbUrl = `file:${dbFile}`;
    const { db, client: dbClient } = await openEdgeDb(dbUrl);
    const { key } = await createApiKey(db, "fault");
    dbClient.close();
    const port = await freePort();
    const edgeUrl = `http://127.0.0.1:${port}`;
    const edgeEnv = { OPUS_DB_URL: dbUrl, OPUS_NODE_SECRET: secret, ...edgeTiming };
    let edge = await serve("edge", edgeEnv, port);
    children.push(edge);
    const target = { url: edgeUrl } as EdgeTarget;
    const api = client(target, key);
    const hook = (await api("POST", "/v1/webhooks", { url: `${receiver.url}/edge-kill` })).json;

    const node: RunningGpuNode = await startTestNode(secret, { ...smallPipeline, OPUS_EDGE_URL: edgeUrl, OPUS_NODE_ID: "node-push", OPUS_NODE_MODE: "push", OPUS_NODE_CAPACITY: "1" });
    closers.push(node.close);
    const { json } = await api("POST", "/v1/entries", { subject: "Hesychasm", tier: "B", category: "Theology", seed: 5 });
    const id = json.id as string;
    await waitFor(async () => {
      const s = (await api("GET", `/v1/entries/${id}`)).json;
      return s.status === "sections" && s.words >= 60 ? s : undefined;
    }, entryHangGuardMs, "the node to be writing sections");

    await killHard(edge);
    // While the edge is down the node keeps writing; its events wait in its retry loop.
    await new Promise((r) => setTimeout(r, 1500));
    edge = await serve("edge", edgeEnv, port);
    children.push(edge);

    const final = await waitFor(async () => {
      const s = (await api("GET", `/v1/entries/${id}`)).json;
      return terminal.includes(s.status) ? s : undefined;
    }, entryHangGuardMs, "the entry to finish");
    expect(["succeeded", "needs_review"]).toContain(final.status);
    expect(final.transitions.filter((t: { status: string }) => terminal.includes(t.status))).toHaveLength(1);
    const markdown = (await api("GET", `/v1/entries/${id}/content`)).text;
    expectNoRepeats(markdown, 3);
    expect(final.words).toBe((await api("GET", `/v1/entries/${id}/content?format=json`)).json.words);

    const events = await waitFor(() => {
      const got = received(receiver, hook.secret, "/edge-kill").filter((e) => e.payload.data.id === id);
      return got.some((e) => e.payload.type === `entry.${final.status}`) ? got : undefined;
    }, 30_000, "the terminal webhook");
    // One event each (a delivery cut off by the kill may arrive again, with the same webhook-id).
    expect(eventIds(events, `entry.${final.status}`)).toHaveLength(1);
    expect(eventIds(events, "entry.started")).toHaveLength(1);
    expect(new Set(events.filter((e) => terminal.some((t) => e.payload.type === `entry.${t}`)).map((e) => e.payload.type)).size).toBe(1);
    await node.close();
    closers.splice(closers.indexOf(node.close), 1);
    await killHard(edge);
  }, entryHangGuardMs);
});
