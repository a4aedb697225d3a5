// `opus retry <id>` against a running edge (the real Node entry, real libSQL): a failed entry goes
// back to the queue with what it had written; anything else is refused with its status named. And
// on the embedded default: the edge on .opus/edge.db and a real GPU node resume it to the end.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { createApiKey } from "../../edge/auth.ts";
import { startEdge } from "../../edge/node.ts";
import { entryHangGuardMs, smallTierB } from "../support/bounds.ts";
import { runCli } from "../support/cli.ts";
import { startTestNode, testNodeEnv } from "../support/gpu-node.ts";
import { client, newKey, sendNodeEvent, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";

const record = { step: "writing", progress: 0.4, words: 321, sections: { done: 1, total: 3 }, tokens: 900, eta_seconds: 12 };

describe("opus retry", () => {
  let edge: EdgeTarget;
  let key: string;
  const cwd = mkdtempSync(path.join(os.tmpdir(), "opus-cli-retry-"));
  const env = { OPUS_HOME: path.join(cwd, ".opus"), OPUS_EDGE_URL: undefined, OPUS_API_KEY: undefined, OPUS_PROFILE: undefined };

  beforeAll(async () => {
    edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: newSigningSecret() });
    key = await newKey(edge, "cli");
  });
  afterAll(() => edge?.close());

  async function failedEntry(): Promise<string> {
    const { json } = await client(edge, key)("POST", "/v1/entries", { subject: "Theosis", tier: "B", category: "Theology" });
    await sendNodeEvent(edge, json.id, { type: "progress", seq: 1, status: "sections", ...record } as NodeEvent);
    await sendNodeEvent(edge, json.id, { type: "failed", seq: 2, status: "failed", ...record, error: { code: "generation_failed", message: "timed out" } } as NodeEvent);
    return json.id;
  }

  it("queues a failed entry again on a running edge, keeping its words", async () => {
    const id = await failedEntry();
    const done = await runCli(["retry", id, "--edge", edge.url, "--key", key], { cwd, env });
    expect(done.stderr).toBe("");
    expect(done.code).toBe(0);
    expect(done.stdout).toBe(`${id}: queued again (321 words kept); follow it with \`opus watch ${id}\`\n`);
    expect((await client(edge, key)("GET", `/v1/entries/${id}`)).json).toMatchObject({ status: "queued", words: 321, error: null });
  });

  it("prints the status as JSON with --json, and refuses an entry that has not failed, naming its status", async () => {
    const id = await failedEntry();
    const json = await runCli(["retry", id, "--edge", edge.url, "--key", key, "--json"], { cwd, env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ id, status: "queued", words: 321 });
    const again = await runCli(["retry", id, "--edge", edge.url, "--key", key], { cwd, env });
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("");
    expect(again.stderr).toContain("queued");
    expect(again.stderr).toContain("only a failed entry can be retried");
    const unknown = await runCli(["retry", "ent_00000000000000000000000000", "--edge", edge.url, "--key", key], { cwd, env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No entry ent_0+ for this API key/);
  });

  it("needs a key for a running edge: a usage error naming the fix", async () => {
    const res = await runCli(["retry", "ent_00000000000000000000000000", "--edge", edge.url], { cwd, env });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("--key");
  });
});

describe("opus retry on the embedded default", () => {
  it("resumes a failed entry of the embedded edge with the embedded node, follows it and writes it", async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), "opus-cli-retry-embedded-"));
    const home = path.join(cwd, ".opus");
    const secret = newSigningSecret();
    const nodeEnv = { ...smallTierB(2), OPUS_NODE_DB: path.join(home, "gpu-node.db"), OPUS_KNOWLEDGE: "false" };
    // An entry of the CLI's own key on the embedded edge's database, failed by the embedded node (a
    // time limit nothing meets, no retries), as a failed `opus generate` leaves it.
    const edge = await startEdge({ OPUS_DB_URL: `file:${path.join(home, "edge.db")}`, OPUS_NODE_SECRET: secret }, { port: 0 });
    const { key } = await createApiKey(edge.db, "opus cli (embedded)");
    writeFileSync(path.join(home, "cli-key"), `${key}\n`);
    const node = await startTestNode(secret, { ...nodeEnv, OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "push", OPUS_REQUEST_TIMEOUT_MS: "1", OPUS_PIPELINE__STEP_RETRIES: "0" }, cwd);
    const created = (await (await fetch(`${edge.url}/v1/entries`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ subject: "Holy Icons", tier: "B", category: "Theology", seed: 5 }) })).json()) as { id: string };
    const until = Date.now() + entryHangGuardMs;
    while ((await (await fetch(`${edge.url}/v1/entries/${created.id}`, { headers: { authorization: `Bearer ${key}` } })).json() as { status: string }).status !== "failed") {
      if (Date.now() > until) throw new Error("the entry did not fail");
      await new Promise((r) => setTimeout(r, 100));
    }
    await node.runner.settled(created.id);
    await node.close();
    await edge.close();

    const res = await runCli(["retry", created.id, "--json"], {
      cwd,
      env: { ...testNodeEnv(cwd, nodeEnv), OPUS_HOME: home, OPUS_NODE_SECRET: secret, OPUS_EDGE_URL: undefined, OPUS_API_KEY: undefined, OPUS_PROFILE: undefined, OPUS_GPU_NODE_URL: undefined },
      timeoutMs: entryHangGuardMs,
    });
    expect(res.code, res.stderr).toBe(0);
    const out = JSON.parse(res.stdout.trim().split("\n").at(-1)!);
    expect(out).toMatchObject({ id: created.id, sections: 2 });
    expect(["succeeded", "needs_review"]).toContain(out.status);
    expect(readFileSync(out.file, "utf8")).toMatch(/^# Holy Icons\n/);
  }, entryHangGuardMs);
});
