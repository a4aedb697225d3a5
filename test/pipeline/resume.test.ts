// The GPU node process is killed in the middle of a section and restarted: it resumes from its
// checkpoints and finishes the same entry that an uninterrupted run with the same seed writes.
import { afterAll, describe, expect, it } from "vitest";
import { runPipeline } from "../../gpu-node/pipeline/write-entry.ts";
import { entryHangGuardMs } from "../support/bounds.ts";
import { startEdgeWithNodeProcess, type EdgeWithNodeProcess } from "../support/node-restart.ts";
import { startTestPipeline } from "../support/pipeline.ts";
import { waitFor } from "../support/wait.ts";

const subject = { subject: "Holy Icons", tier: "B" as const, category: "Theology", seed: 4242 };

describe("kill and resume", () => {
  let stand: EdgeWithNodeProcess | undefined;
  afterAll(async () => {
    await stand?.close();
  });

  it("completes the same entry after the node process is killed mid-section", async () => {
    // The uninterrupted reference, in this process, on the same settings.
    const reference = await startTestPipeline();
    await reference.deps.checkpoints.open({ id: "ent_reference", ...subject, callback_url: "http://127.0.0.1:1/v1/node/entries/ent_reference/events" });
    const expected = await runPipeline({ id: "ent_reference", ...subject }, reference.deps, { signal: new AbortController().signal, onProgress: () => undefined });
    await reference.close();

    // The edge calls the node at a port chosen beforehand; the node reports only to that edge.
    stand = await startEdgeWithNodeProcess();
    const { api, node } = stand;
    const created = await api("POST", "/v1/entries", subject);
    expect(created.status).toBe(202);
    const id = created.json.id as string;

    // Kill the node while it is writing sections.
    const midway = await waitFor(async () => {
      const s = (await api("GET", `/v1/entries/${id}`)).json;
      return s.status === "sections" && s.words >= 300 ? s : undefined;
    }, entryHangGuardMs, "the node to be writing sections");
    await node.kill();
    const killedAt = Date.now();
    const stepsBefore = await (await node.checkpoints()).steps(id);
    expect(stepsBefore.filter((s) => s.kind === "paragraph").length).toBeGreaterThan(0);
    expect((await api("GET", `/v1/entries/${id}`)).json.status).toBe("sections");

    // Restart: the node resumes the entry by itself from its checkpoints.
    await node.start();
    const final = await waitFor(async () => {
      const s = (await api("GET", `/v1/entries/${id}`)).json;
      return ["succeeded", "needs_review", "failed", "canceled"].includes(s.status) ? s : undefined;
    }, entryHangGuardMs, "the entry to finish");
    expect(final.status).toBe(expected.status);
    expect(final.words).toBeGreaterThanOrEqual(midway.words);
    const markdown = (await api("GET", `/v1/entries/${id}/content`)).text;
    expect(markdown).toBe(expected.entry.markdown);
    // One terminal transition: the entry finished once.
    const terminal = final.transitions.filter((t: { status: string }) => ["succeeded", "needs_review"].includes(t.status));
    expect(terminal).toHaveLength(1);

    // Steps done before the kill were not redone: their log rows are the originals.
    await node.kill();
    const stepsAfter = await (await node.checkpoints()).steps(id);
    for (const before of stepsBefore) {
      const after = stepsAfter.find((s) => s.key === before.key)!;
      expect(after.at).toBe(before.at);
      expect(after.at).toBeLessThanOrEqual(killedAt);
    }
    const paragraphSteps = stepsAfter.filter((s) => s.kind === "paragraph" || s.kind === "expansion");
    expect(paragraphSteps.length).toBe(markdown.split("\n").filter((l) => l.startsWith("\u00a0")).length);
  }, entryHangGuardMs);
});
