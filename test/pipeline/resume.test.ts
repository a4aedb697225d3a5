// The GPU node process is killed in the middle of a section and restarted: it resumes from its
// checkpoints and finishes the same entry that an uninterrupted run with the same seed writes.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { openNodeDb } from "../../gpu-node/db/client.ts";
import { CheckpointStore } from "../../gpu-node/pipeline/checkpoints.ts";
import { runPipeline } from "../../gpu-node/pipeline/write-entry.ts";
import { client, newKey, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { testNodeEnv } from "../support/gpu-node.ts";
import { repoRoot } from "../support/paths.ts";
import { startTestPipeline } from "../support/pipeline.ts";
import { freePort } from "../support/net.ts";
import { entryHangGuardMs } from "../support/bounds.ts";

const subject = { subject: "Holy Icons", tier: "B" as const, category: "Theology", seed: 4242 };

function startNodeProcess(env: Record<string, string>, port: number): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "bin/opus.js"), "serve", "gpu-node", "--port", String(port)], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let err = "";
    child.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
      if (err.includes("listening")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`gpu node exited with ${code}: ${err}`)));
  });
}

async function until<T>(probe: () => Promise<T | undefined>, timeoutMs = entryHangGuardMs): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("kill and resume", () => {
  let edge: EdgeTarget | undefined;
  let child: ChildProcess | undefined;
  afterAll(async () => {
    child?.kill("SIGKILL");
    await edge?.close();
  });

  it("completes the same entry after the node process is killed mid-section", async () => {
    // The uninterrupted reference, in this process, on the same settings.
    const reference = await startTestPipeline();
    await reference.deps.checkpoints.open({ id: "ent_reference", ...subject, callback_url: "http://127.0.0.1:1/v1/node/entries/ent_reference/events" });
    const expected = await runPipeline({ id: "ent_reference", ...subject }, reference.deps, { signal: new AbortController().signal, onProgress: () => undefined });
    await reference.close();

    const secret = newSigningSecret();
    const dir = mkdtempSync(path.join(os.tmpdir(), "opus-resume-"));
    // The edge calls the node at a port chosen beforehand; the node reports only to that edge.
    const port = await freePort();
    edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret, OPUS_GPU_NODE_URL: `http://127.0.0.1:${port}` });
    const env = { ...testNodeEnv(dir), OPUS_NODE_SECRET: secret, OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static" };
    child = await startNodeProcess(env, port);
    const api = client(edge, await newKey(edge));
    const created = await api("POST", "/v1/entries", subject);
    expect(created.status).toBe(202);
    const id = created.json.id as string;

    // Kill the node while it is writing sections.
    const midway = await until(async () => {
      const s = (await api("GET", `/v1/entries/${id}`)).json;
      return s.status === "sections" && s.words >= 300 ? s : undefined;
    });
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    const killedAt = Date.now();
    const db = await openNodeDb(path.join(dir, "gpu-node.db"));
    const stepsBefore = await new CheckpointStore(db).steps(id);
    db.$client.close();
    expect(stepsBefore.filter((s) => s.kind === "paragraph").length).toBeGreaterThan(0);
    expect((await api("GET", `/v1/entries/${id}`)).json.status).toBe("sections");

    // Restart: the node resumes the entry by itself from its checkpoints.
    child = await startNodeProcess(env, port);
    const final = await until(async () => {
      const s = (await api("GET", `/v1/entries/${id}`)).json;
      return ["succeeded", "needs_review", "failed", "canceled"].includes(s.status) ? s : undefined;
    });
    expect(final.status).toBe(expected.status);
    expect(final.words).toBeGreaterThanOrEqual(midway.words);
    const markdown = (await api("GET", `/v1/entries/${id}/content`)).text;
    expect(markdown).toBe(expected.entry.markdown);
    // One terminal transition: the entry finished once.
    const terminal = final.transitions.filter((t: { status: string }) => ["succeeded", "needs_review"].includes(t.status));
    expect(terminal).toHaveLength(1);

    // Steps done before the kill were not redone: their log rows are the originals.
    child.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    child = undefined;
    const db2 = await openNodeDb(path.join(dir, "gpu-node.db"));
    const stepsAfter = await new CheckpointStore(db2).steps(id);
    db2.$client.close();
    for (const before of stepsBefore) {
      const after = stepsAfter.find((s) => s.key === before.key)!;
      expect(after.at).toBe(before.at);
      expect(after.at).toBeLessThanOrEqual(killedAt);
    }
    const paragraphSteps = stepsAfter.filter((s) => s.kind === "paragraph" || s.kind === "expansion");
    expect(paragraphSteps.length).toBe(markdown.split("\n").filter((l) => l.startsWith("\u00a0")).length);
  }, entryHangGuardMs);
});
