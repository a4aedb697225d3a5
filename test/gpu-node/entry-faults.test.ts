// Faults of an entry's life on a real GPU node (node-llama-cpp on the test model, a small pipeline
// so an entry takes seconds), its edge played by a stand-in that checks signatures and records events:
//   - more entries than the engine has sequences: they wait their turn, and all finish;
//   - a generation past its time limit is retried, recorded, and the entry finishes;
//   - a failed entry assigned again resumes from its checkpoints, keeping every word;
//   - resumed work reports to the edge configured now, and an edge that cannot be reached parks it;
//   - no AbortSignal collects listeners while entries run and events are retried.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { edgeRoutes } from "../../shared/api/node-protocol.ts";
import { newSigningSecret, postSigned } from "../../shared/api/signing.ts";
import type { RunningGpuNode } from "../../gpu-node/main.ts";
import { smallTier } from "../support/bounds.ts";
import { startEdgeStandIn, type EdgeStandIn } from "../support/edge-stand-in.ts";
import { freePort } from "../support/net.ts";
import { InProcessNode } from "../support/node-restart.ts";
import { waitFor } from "../support/wait.ts";

/**
 * A small entry: three short sections of two paragraphs, no expansion or correction rounds, no
 * knowledge base. (Much shorter paragraphs and the test model tends to answer a heading with a blank.)
 */
const smallPipeline = { ...smallTier("B", { minWords: 450, sections: 3, paragraphWords: 100 }), OPUS_KNOWLEDGE: "false" };

const ended = ["finished", "failed", "canceled"];

describe("entry faults on a GPU node", () => {
  const secret = newSigningSecret();
  const nodes: InProcessNode[] = [];
  const edges: EdgeStandIn[] = [];
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  beforeAll(() => {
    process.on("warning", onWarning);
  });
  afterAll(async () => {
    process.off("warning", onWarning);
    for (const node of nodes) await node.stop().catch(() => undefined);
    for (const edge of edges) await edge.close();
  });
  afterEach(() => {
    // Not one listener too many on any AbortSignal while entries ran and events were retried.
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning").map((w) => w.message)).toEqual([]);
  });

  const standIn = async (opts: Parameters<typeof startEdgeStandIn>[1] = {}) => {
    const edge = await startEdgeStandIn(secret, opts);
    edges.push(edge);
    return edge;
  };
  /** A node on its own folder, started and stopped there (again and again, with other settings if need be). */
  const nodeFolder = () => {
    const folder = new InProcessNode(secret, smallPipeline);
    nodes.push(folder);
    return folder;
  };
  const assign = async (n: RunningGpuNode, edgeUrl: string, id: string, extra: Record<string, unknown> = {}) => {
    const res = await postSigned(`${n.url}/v1/entries`, secret, { id, subject: "Holy Icons", tier: "B", category: "Theology", seed: 9, callback_url: `${edgeUrl}${edgeRoutes.events(id)}?node=n1`, ...extra });
    return { status: res.status, ack: (await res.json()) as { outcome: string; capacity: number; active: number } };
  };
  const lastEvent = (edge: EdgeStandIn, id: string) => edge.eventsOf(id).at(-1);
  /** The entry's last event once it ended (after event `afterSeq`). */
  const endOf = (edge: EdgeStandIn, id: string, afterSeq = 0, timeoutMs = 300_000) =>
    waitFor(() => {
      const last = lastEvent(edge, id);
      return last && last.seq > afterSeq && ended.includes(last.type) ? last : undefined;
    }, timeoutMs, `entry ${id} to end`);

  it("writes four entries at once on an engine with two sequences: they wait their turn, and all finish", async () => {
    // Every event is refused once (503), so the node retries each: its waits must not pile up listeners.
    const edge = await standIn({ failFirstDelivery: true });
    // A short queue wait, as for a request: an entry must never be ended by it.
    const folder = nodeFolder();
    const n = await folder.start({ OPUS_SEQUENCES: "2", OPUS_QUEUE_MAX_WAIT_MS: "1000", OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "pull", OPUS_LEASE_POLL_MS: "50" });
    expect(n.runner.capacity).toBe(2);
    const ids = ["ent_q1", "ent_q2", "ent_q3", "ent_q4"];
    const acks = await Promise.all(ids.map((id) => assign(n, edge.url, id)));
    expect(acks.map((a) => a.status)).toEqual([202, 202, 202, 202]);
    expect(acks.map((a) => a.ack.outcome).sort()).toEqual(["queued", "queued", "started", "started"]);
    expect(acks.every((a) => a.ack.capacity === 2)).toBe(true);
    // The heartbeat reports the capacity the engine really has, and the entries the node holds.
    await waitFor(() => edge.heartbeats.find((h) => (h.entries as string[]).length === 4), 10_000, "a heartbeat listing the four entries");
    expect(edge.heartbeats.at(-1)!.capacity).toBe(2);
    const ends = await Promise.all(ids.map((id) => endOf(edge, id)));
    expect(ends.map((e) => e.type)).toEqual(["finished", "finished", "finished", "finished"]);
    // Entries waiting for a slot report nothing until they start: no progress event says "queued".
    expect(edge.events.every((e) => e.status !== "queued")).toBe(true);
    await folder.stop();
  }, 600_000);

  it("retries a paragraph that ran past the generation time limit, records why, and finishes the entry", async () => {
    const edge = await standIn();
    // 100 ms is shorter than most generations here; each retry doubles the limit.
    const folder = nodeFolder();
    const n = await folder.start({ OPUS_REQUEST_TIMEOUT_MS: "100", OPUS_PIPELINE__STEP_RETRIES: "8", OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static" });
    await assign(n, edge.url, "ent_slow");
    const end = await endOf(edge, "ent_slow");
    expect(end.type).toBe("finished");
    const retries = ((end.entry as { metadata: { retries: { key: string; kind: string; reason: string }[] } }).metadata.retries).filter((r) => r.reason.startsWith("generation_timeout"));
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.some((r) => /^s\d+\/p\d+\/pass\d+\/try\d+\/retry\d+$/.test(r.key))).toBe(true);
    await folder.stop();
  }, 600_000);

  it("resumes a failed entry from its checkpoints when it is assigned again, keeping every word", async () => {
    const edge = await standIn();
    const folder = nodeFolder();
    const id = "ent_failed";
    // 1. The entry is written in part, then the node stops (the entry stays resumable).
    let n = await folder.start({ OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static" });
    await assign(n, edge.url, id);
    await waitFor(async () => ((await n.checkpoints.steps(id)).filter((s) => s.kind === "paragraph").length >= 2 ? true : undefined), 300_000, "two paragraphs");
    await folder.stop();
    // 2. Restarted with a time limit nothing can meet and no retries: the resumed entry fails.
    n = await folder.start({ OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static", OPUS_REQUEST_TIMEOUT_MS: "1", OPUS_PIPELINE__STEP_RETRIES: "0" });
    expect(n.resumed).toEqual([id]);
    const failed = await endOf(edge, id);
    expect(failed.type).toBe("failed");
    // The node's error line names the entry and why it failed.
    const failure = n.logs.filter((l) => l.startsWith("{")).map((l) => JSON.parse(l)).find((l) => l.msg === "entry failed");
    expect(failure).toMatchObject({ level: "error", service: "opus-gpu-node", entry_id: id });
    expect(failure.error).toMatchObject({ name: "GenerationTimeoutError", message: expect.stringContaining("did not finish within 1ms") });
    await n.runner.settled(id);
    const atFailure = (await n.checkpoints.find(id))!;
    expect(atFailure.status).toBe("failed");
    const written = atFailure.draft!.sections.flatMap((s) => s.paragraphs).filter((p): p is string => Boolean(p));
    expect(written.length).toBeGreaterThanOrEqual(2);
    const stepsAtFailure = await n.checkpoints.steps(id);
    await folder.stop();
    // 3. Restarted as it should be: a failed entry is not resumed by itself...
    n = await folder.start({ OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static" });
    expect(n.resumed).toEqual([]);
    // ...but the edge's retry assigns it again, and it resumes with what it had.
    const retried = await assign(n, edge.url, id, { attempt: 1, seq_base: failed.seq });
    expect(retried.ack.outcome).toBe("resumed");
    const end = await endOf(edge, id, failed.seq);
    expect(end.type).toBe("finished");
    expect(end.seq).toBeGreaterThan(failed.seq);
    const markdown = (end.entry as { markdown: string }).markdown;
    for (const paragraph of written) expect(markdown).toContain(paragraph);
    // The steps done before the failure were not redone.
    const stepsAfter = await n.checkpoints.steps(id);
    for (const step of stepsAtFailure) expect(stepsAfter.find((s) => s.key === step.key)!.at).toBe(step.at);
    await folder.stop();
  }, 900_000);

  it("reports resumed work to the edge configured now, and parks it when that edge cannot be reached", async () => {
    const first = await standIn();
    const folder = nodeFolder();
    const id = "ent_moved";
    let n = await folder.start({ OPUS_EDGE_URL: first.url, OPUS_NODE_MODE: "static" });
    await assign(n, first.url, id);
    await waitFor(async () => ((await n.checkpoints.steps(id)).some((s) => s.kind === "paragraph") ? true : undefined), 300_000, "a paragraph");
    await folder.stop();
    const toFirst = first.events.length;

    // The edge moved (a new `opus generate` runs its edge on another port): resumed work reports there.
    const second = await standIn();
    n = await folder.start({ OPUS_EDGE_URL: second.url, OPUS_NODE_MODE: "static" });
    expect(n.resumed).toEqual([id]);
    const asked = await waitFor(() => second.eventsOf(id)[0], 60_000, "the resumed entry's first event at the new edge");
    expect(asked).toMatchObject({ type: "progress", step: "resuming from checkpoints", query: "?node=n1" });
    expect(asked.words).toBeGreaterThan(0);
    await waitFor(() => (second.eventsOf(id).length >= 2 ? true : undefined), 120_000, "the resumed entry at work");
    await folder.stop();
    expect(second.eventsOf(id).at(-1)!.type).toBe("progress");
    expect(first.events.length).toBe(toFirst);

    // The edge is gone: the resumed entry asks it, cannot reach it, and stops instead of writing blind.
    const gone = `http://127.0.0.1:${await freePort()}`;
    n = await folder.start({ OPUS_EDGE_URL: gone, OPUS_NODE_MODE: "static", OPUS_EDGE__REPORT_TIMEOUT_MS: "1500" });
    expect(n.resumed).toEqual([id]);
    await n.runner.settled(id);
    const parked = (await n.checkpoints.find(id))!;
    expect(parked.parked).toMatch(/could not be reached/);
    const stepsParked = (await n.checkpoints.steps(id)).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await n.checkpoints.steps(id)).length).toBe(stepsParked);
    expect(n.engine.stats().models.every((m) => m.active === 0)).toBe(true);
    await folder.stop();

    // Parked work waits for its edge: a restart does not run it; the edge assigning it again does.
    n = await folder.start({ OPUS_EDGE_URL: second.url, OPUS_NODE_MODE: "static" });
    expect(n.resumed).toEqual([]);
    const lastSeq = second.eventsOf(id).at(-1)!.seq;
    const again = await assign(n, second.url, id, { seq_base: lastSeq });
    expect(again.ack.outcome).toBe("resumed");
    expect((await endOf(second, id, lastSeq)).type).toBe("finished");
    await folder.stop();
  }, 900_000);
});
