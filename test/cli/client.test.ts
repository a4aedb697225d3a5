// The `opus` client commands (status, watch, get, cancel, list, webhooks, nodes, login) run as a user
// runs them (bin/opus.js in a child process) against a real edge on Node started here: outputs,
// --json, profiles, the errors that name the fix, and the documented exit codes. The last part
// watches entries written by a real GPU node on the test model.
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningGpuNode } from "../../gpu-node/main.ts";
import { initialProgress, type WorkingStatus } from "../../shared/lifecycle/index.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { startReceiver, waitFor, type Receiver } from "../delivery/receivers.ts";
import { entryHangGuardMs, smallTierB } from "../support/bounds.ts";
import { runCli, type CliResult } from "../support/cli.ts";
import { client, newKey, sendNodeEvent, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { freePort } from "../support/net.ts";
import { repoRoot } from "../support/paths.ts";

const tempDir = (prefix: string) => mkdtempSync(path.join(os.tmpdir(), prefix));
const entry = { subject: "Theosis", tier: "B", category: "Theology" };
const golden = readFileSync(path.join(repoRoot, "corpus/golden/theosis.md"), "utf8");
/** The golden entry's sections as a node reports them (a reviewer edits their paragraphs). */
const goldenSections = golden
  .split(/\n(?=## )/)
  .slice(1)
  .map((markdown) => ({ title: markdown.split("\n")[0]!.replace(/^## /, ""), markdown: markdown.trim(), words: markdown.split(/\s+/).filter(Boolean).length }));

/** A progress report as a GPU node sends it. */
const progress = (seq: number, status: WorkingStatus, fields: { words: number; done: number; total: number; eta: number | null; progress: number }): NodeEvent => ({
  type: "progress",
  seq,
  status,
  ...initialProgress(`writing ${fields.total} sections`),
  progress: fields.progress,
  words: fields.words,
  sections: { done: fields.done, total: fields.total },
  eta_seconds: fields.eta,
});

const failed = (seq: number): NodeEvent => ({
  type: "failed",
  seq,
  status: "failed",
  ...initialProgress("failed"),
  error: { code: "generation_failed", message: "the model ran out of memory" },
});

/** A finished entry: the golden Theosis passes the edge's checks (succeeded), a stub goes to review. */
const finished = (seq: number, outcome: "succeeded" | "needs_review"): NodeEvent => ({
  type: "finished",
  seq,
  status: outcome,
  ...initialProgress(outcome === "succeeded" ? "finished" : "needs review"),
  progress: 1,
  words: outcome === "succeeded" ? 100 : 9,
  sections: { done: 1, total: 1 },
  entry:
    outcome === "succeeded"
      ? { title: "Theosis", markdown: golden, sections: goldenSections, words: 100, metadata: { quality: { combined: 0.97, passed: true, reasons: [] } } }
      : { title: "Theosis", markdown: "# Theosis\n", sections: [{ title: "I. Union", markdown: "## I. Union", words: 9 }], words: 9, metadata: {} },
});

describe("opus client commands against a running edge", () => {
  let edge: EdgeTarget;
  let receiver: Receiver;
  let adminKey: string;
  let readKey: string;
  let api: ReturnType<typeof client>;
  const cwd = tempDir("opus-client-");
  const configHome = tempDir("opus-config-");
  // Nothing from the test's own environment chooses the edge; profiles live in a folder of ours.
  const env = { XDG_CONFIG_HOME: configHome, OPUS_EDGE_URL: undefined, OPUS_API_KEY: undefined, OPUS_PROFILE: undefined };
  const opus = (args: string[], more: { env?: Record<string, string | undefined>; input?: string; onStderr?: (s: string) => void } = {}): Promise<CliResult> =>
    runCli(args, { cwd, env: { ...env, ...more.env }, input: more.input, onStderr: more.onStderr, timeoutMs: 60_000 });
  let conn: string[];

  beforeAll(async () => {
    receiver = await startReceiver();
    // No GPU node: entries wait in the queue, and the test plays the node's part with signed events.
    edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: newSigningSecret(), OPUS_WEBHOOK_ALLOW_PRIVATE: "true" });
    adminKey = await newKey(edge, "admin");
    readKey = await newKey(edge, "reader", ["read"]);
    api = client(edge, adminKey);
    conn = ["--edge", edge.url, "--key", adminKey];
  });
  afterAll(async () => {
    await edge?.close();
    await receiver?.close();
  });

  const submit = async (key = adminKey) => {
    const res = await client(edge, key)("POST", "/v1/entries", entry);
    expect(res.status).toBe(202);
    return res.json.id as string;
  };

  it("status: a summary for people, the edge's JSON with --json", async () => {
    const id = await submit();
    await sendNodeEvent(edge, id, progress(1, "sections", { words: 1234, done: 2, total: 4, eta: 65, progress: 0.45 }));
    const [human, json] = await Promise.all([opus(["status", id, ...conn]), opus(["status", id, ...conn, "--json"])]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`${id}  Theosis (tier B, Theology)`);
    expect(human.stdout).toContain("sections: writing 4 sections (45%, 1,234 words, sections 2/4, ETA 1 min 05 s)");
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual((await api("GET", `/v1/entries/${id}`)).json);
  });

  it("get: Markdown or JSON, to stdout or a file; a past revision with --revision, clear errors before it exists", async () => {
    const id = await submit();
    const early = await opus(["get", id, ...conn]);
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("has no content yet");
    expect(early.stderr).toContain(`opus watch ${id}`);
    await sendNodeEvent(edge, id, finished(1, "succeeded"));
    const out = path.join(cwd, "theosis.md");
    const [md, json, jsonFlag, toFile, revision, badFormat] = await Promise.all([
      opus(["get", id, ...conn]),
      opus(["get", id, "--format", "json", ...conn]),
      opus(["get", id, "--json", ...conn]),
      opus(["get", id, "--out", out, ...conn]),
      opus(["get", id, "--revision", "2", ...conn]),
      opus(["get", id, "--format", "xml", ...conn]),
    ]);
    expect(md.code).toBe(0);
    expect(md.stdout).toBe(golden.endsWith("\n") ? golden : `${golden}\n`);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ id, title: "Theosis", status: "succeeded" });
    expect(JSON.parse(jsonFlag.stdout)).toEqual(JSON.parse(json.stdout));
    expect(toFile.code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe(golden);
    // Revision 1 is the entry as the node wrote it; a reviewer's edit adds revision 2.
    expect(revision.code).toBe(1);
    expect(revision.stderr).toContain(`entry ${id} has no revision 2: it has revisions 1 to 1`);
    expect(revision.stderr).toContain("drop --revision");
    const edited = await api("POST", `/v1/entries/${id}/decisions`, { action: "edit", revision: 1, edits: [{ section: 0, paragraph: 0, text: "An edited first paragraph." }] });
    expect(edited.status).toBe(200);
    const [first, second, secondJson] = await Promise.all([
      opus(["get", id, "--revision", "1", ...conn]),
      opus(["get", id, "--revision", "2", ...conn]),
      opus(["get", id, "--revision", "2", "--json", ...conn]),
    ]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(md.stdout);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("An edited first paragraph.");
    expect(second.stdout).not.toBe(first.stdout);
    expect(JSON.parse(secondJson.stdout)).toMatchObject({ number: 2, markdown: expect.stringContaining("An edited first paragraph.") });
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain("--format");
  });

  it("cancel: idempotent, and a clear refusal for an entry that already ended", async () => {
    const id = await submit();
    const first = await opus(["cancel", id, ...conn]);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`${id}: canceled\n`);
    const again = await opus(["cancel", id, ...conn, "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ id, status: "canceled" });
    const done = await submit();
    await sendNodeEvent(edge, done, finished(1, "needs_review"));
    const late = await opus(["cancel", done, ...conn]);
    expect(late.code).toBe(1);
    expect(late.stderr).toContain("already ended with status needs_review");
    expect(late.stderr).toContain("entry_finished");
  });

  it("list: follows next_cursor through every page, filters by status, stops at --limit", async () => {
    // A key of its own, with more entries than one page (100) holds.
    const key = await newKey(edge, "lister");
    const ids: string[] = [];
    for (let i = 0; i < 103; i++) ids.push(await submit(key));
    await client(edge, key)("POST", `/v1/entries/${ids[5]}/cancel`);
    const own = ["--edge", edge.url, "--key", key];
    const [all, canceled, limited, table, none] = await Promise.all([
      opus(["list", ...own, "--json"]),
      opus(["list", ...own, "--json", "--status", "canceled"]),
      opus(["list", ...own, "--json", "--limit", "101"]),
      opus(["list", ...own, "--limit", "3"]),
      opus(["list", ...own, "--status", "failed"]),
    ]);
    expect(all.code).toBe(0);
    // Newest first: ids sort by creation time (entries made in the same millisecond in any order).
    const listed = (JSON.parse(all.stdout) as { id: string }[]).map((e) => e.id);
    expect([...listed].sort()).toEqual([...ids].sort());
    expect(listed).toEqual([...listed].sort().reverse());
    expect(JSON.parse(canceled.stdout).map((e: { id: string }) => e.id)).toEqual([ids[5]]);
    expect(JSON.parse(limited.stdout)).toHaveLength(101);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+STATUS\s+TIER\s+WORDS\s+DONE\s+CREATED\s+SUBJECT$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(listed.slice(0, 3));
    expect(none.code).toBe(0);
    expect(none.stderr).toContain("no entries in status failed");
    const bad = await opus(["list", ...own, "--status", "sleeping"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--status");
  }, 120_000);

  describe("watch", () => {
    /** Starts `opus watch`, and once it has shown the entry, plays the node's events. */
    async function watchWhile(id: string, events: NodeEvent[], args: string[] = []): Promise<CliResult> {
      let shown!: () => void;
      const started = new Promise<void>((resolve) => (shown = resolve));
      const watching = opus(["watch", id, "--poll-ms", "50", ...conn, ...args], { onStderr: (s) => (s.includes("queued") ? shown() : undefined) });
      // With --json nothing comes on stderr; the outcome does not depend on seeing the first state.
      if (!args.includes("--json")) await Promise.race([started, watching]);
      for (const event of events) {
        await sendNodeEvent(edge, id, event);
        // Each state lasts a few polls, so the watcher sees it.
        await new Promise((r) => setTimeout(r, 400));
      }
      return watching;
    }

    it("shows progress with words, sections and ETA, and exits 3 for a failed entry", async () => {
      const id = await submit();
      const res = await watchWhile(id, [
        progress(1, "blueprint", { words: 0, done: 0, total: 4, eta: null, progress: 0.05 }),
        progress(2, "sections", { words: 800, done: 1, total: 4, eta: 90, progress: 0.3 }),
        failed(3),
      ]);
      expect(res.code).toBe(3);
      const lines = res.stderr.trim().split("\n");
      expect(lines[0]).toMatch(/^queued: /);
      expect(lines).toContain("sections: writing 4 sections (30%, 800 words, sections 1/4, ETA 1 min 30 s)");
      expect(lines.at(-1)).toBe("failed: the model ran out of memory");
    });

    it("exits 3 for an entry canceled while it is watched", async () => {
      const id = await submit();
      const watching = opus(["watch", id, "--poll-ms", "50", ...conn]);
      await new Promise((r) => setTimeout(r, 1500));
      const cancel = await opus(["cancel", id, ...conn]);
      expect(cancel.code).toBe(0);
      const res = await watching;
      expect(res.code).toBe(3);
      expect(res.stderr.trim().split("\n").at(-1)).toMatch(/^canceled \(0 words in 0 sections\)$/);
    });

    it("exits 4 for needs_review and 0 for succeeded, and says how to read the entry", async () => {
      const review = await submit();
      const good = await submit();
      const [r, g] = await Promise.all([watchWhile(review, [finished(1, "needs_review")]), watchWhile(good, [finished(1, "succeeded")])]);
      expect(r.code).toBe(4);
      expect(r.stderr.trim().split("\n").at(-1)).toBe(`needs_review (9 words in 1 section); read it with \`opus get ${review}\``);
      expect(g.code).toBe(0);
      expect(g.stderr).toContain(`succeeded (100 words in 1 section); read it with \`opus get ${good}\``);
    });

    it("--json: one status per line on stdout, the last one the outcome", async () => {
      const id = await submit();
      const res = await watchWhile(id, [progress(1, "sections", { words: 50, done: 0, total: 2, eta: 10, progress: 0.1 }), finished(2, "needs_review")], ["--json"]);
      expect(res.code).toBe(4);
      expect(res.stderr).toBe("");
      const statuses = res.stdout.trim().split("\n").map((l) => JSON.parse(l));
      expect(statuses.at(-1)).toMatchObject({ id, status: "needs_review" });
      expect(statuses.every((s) => s.id === id)).toBe(true);
    });
  });

  it("webhooks: add, list, rotate, deliveries, replay, remove", async () => {
    const url = `${receiver.url}/hooks/cli`;
    const added = await opus(["webhooks", "add", url, "--events", "entry.canceled", "--description", "cli test", ...conn]);
    expect(added.code).toBe(0);
    const secret = added.stdout.trim();
    expect(secret).toMatch(/^whsec_/);
    expect(added.stderr).toContain("store the secret now");
    const listed = JSON.parse((await opus(["webhooks", "list", ...conn, "--json"])).stdout) as { id: string; url: string; secret?: string }[];
    const endpoint = listed.find((e) => e.url === url)!;
    expect(endpoint).toMatchObject({ events: ["entry.canceled"], description: "cli test" });
    expect(endpoint.secret).toBeUndefined();
    const table = await opus(["webhooks", "list", ...conn]);
    expect(table.stdout).toMatch(new RegExp(`${endpoint.id}\\s+enabled\\s+entry.canceled`));

    const rotated = await opus(["webhooks", "rotate", endpoint.id, "--overlap", "60", ...conn]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout.trim()).toMatch(/^whsec_/);
    expect(rotated.stdout.trim()).not.toBe(secret);
    const urlSecret = await opus(["webhooks", "rotate", "--url-secret", ...conn, "--json"]);
    expect(JSON.parse(urlSecret.stdout).secret).toMatch(/^whsec_/);
    const neither = await opus(["webhooks", "rotate", ...conn]);
    expect(neither.code).toBe(2);

    // One event for the endpoint: a canceled entry.
    const id = await submit();
    await api("POST", `/v1/entries/${id}/cancel`);
    await waitFor(() => receiver.on("/hooks/cli").length === 1 || undefined);
    const deliveries = await waitFor(async () => {
      const res = JSON.parse((await opus(["webhooks", "deliveries", "--entry", id, ...conn, "--json"])).stdout) as { id: string; status: string }[];
      return res[0]?.status === "succeeded" ? res : undefined;
    });
    expect(deliveries).toHaveLength(1);
    const detail = await opus(["webhooks", "deliveries", deliveries[0]!.id, ...conn]);
    expect(detail.code).toBe(0);
    expect(detail.stdout).toContain(`entry.canceled of ${id} to ${url}`);
    expect(detail.stdout).toMatch(/#\s+AT\s+STATUS\s+LATENCY\s+NEXT\s+ERROR\n1\s+\S+ \S+\s+200\s+\d+ ms/);

    const replay = await opus(["webhooks", "replay", deliveries[0]!.id, ...conn]);
    expect(replay.code).toBe(0);
    expect(replay.stdout.trim()).toMatch(/^whd_/);
    await waitFor(() => receiver.on("/hooks/cli").length === 2 || undefined);
    const replayed = receiver.on("/hooks/cli");
    expect(replayed[1]!.headers["webhook-id"]).toBe(replayed[0]!.headers["webhook-id"]);

    const removed = await opus(["webhooks", "remove", endpoint.id, ...conn]);
    expect(removed.code).toBe(0);
    const gone = await opus(["webhooks", "remove", endpoint.id, ...conn]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("opus webhooks list");
    const badEvents = await opus(["webhooks", "add", url, "--events", "entry.exploded", ...conn]);
    expect(badEvents.code).toBe(2);
    expect(badEvents.stderr).toContain("entry.exploded");
  });

  it("nodes: the edge's GPU nodes, for an admin key", async () => {
    const res = await opus(["nodes", ...conn, "--json"]);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual([]);
    const human = await opus(["nodes", ...conn]);
    expect(human.stderr).toContain("no GPU nodes");
  });

  it("errors name the fix: unreachable edge, bad key, missing scope, unknown id, wrong URL", async () => {
    const closedPort = `http://127.0.0.1:${await (async () => {
      const probe = await startReceiver();
      const port = new URL(probe.url).port;
      await probe.close();
      return port;
    })()}`;
    const [unreachable, badKey, noScope, noAdmin, unknownId, unknownHook, wrongBase] = await Promise.all([
      opus(["list", "--edge", closedPort, "--key", adminKey]),
      opus(["list", "--edge", edge.url, "--key", "opus_sk_not_a_real_key_at_all"]),
      opus(["cancel", await submit(), "--edge", edge.url, "--key", readKey]),
      opus(["nodes", "--edge", edge.url, "--key", readKey]),
      opus(["status", "ent_00000000000000000000000000", ...conn]),
      opus(["webhooks", "deliveries", "whd_00000000000000000000000000", ...conn]),
      opus(["list", "--edge", `${edge.url}/v1`, "--key", adminKey]),
    ]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain(`cannot reach the edge at ${closedPort} (ECONNREFUSED)`);
    expect(unreachable.stderr).toContain("--edge");
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toContain("refused the API key from --key");
    expect(badKey.stderr).toContain("opus login");
    expect(noScope.code).toBe(1);
    expect(noScope.stderr).toContain('use a key with the "submit" scope');
    expect(noAdmin.code).toBe(1);
    expect(noAdmin.stderr).toContain('"admin" scope');
    expect(unknownId.code).toBe(1);
    expect(unknownId.stderr).toContain("No entry ent_00000000000000000000000000");
    expect(unknownId.stderr).toContain("`opus list`");
    expect(unknownHook.code).toBe(1);
    expect(unknownHook.stderr).toContain("`opus webhooks deliveries`");
    expect(wrongBase.code).toBe(1);
    expect(wrongBase.stderr).toContain("has no route GET /v1/entries");
    for (const res of [unreachable, badKey, noScope, noAdmin, unknownId, unknownHook, wrongBase]) {
      expect(res.stderr.trim().split("\n")).toHaveLength(1);
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("429: says when to retry, from Retry-After", async () => {
    const limited = await startEdgeTarget("node", { OPUS_NODE_SECRET: newSigningSecret(), OPUS_RATE_LIMIT: "1" });
    try {
      const key = await newKey(limited);
      const own = ["--edge", limited.url, "--key", key];
      expect((await opus(["list", ...own])).code).toBe(0);
      const refused = await opus(["list", ...own]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/rate-limiting this API key \(HTTP 429 rate_limited\): retry in \d+ s/);
    } finally {
      await limited.close();
    }
  });

  it("usage errors exit 2: no edge configured, a bad URL, an unknown profile", async () => {
    const [none, noKey, badUrl, unknownProfile] = await Promise.all([
      opus(["list"]),
      opus(["list", "--edge", edge.url]),
      opus(["list", "--edge", "ftp://example.org", "--key", adminKey]),
      opus(["list", "--profile", "nowhere"]),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("no edge to talk to: pass --edge URL");
    expect(none.stderr).toContain("opus login");
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("no API key");
    expect(badUrl.code).toBe(2);
    expect(badUrl.stderr).toContain("--edge must be an http:// or https:// URL");
    expect(unknownProfile.code).toBe(2);
    expect(unknownProfile.stderr).toContain('no profile "nowhere"');
  });

  it("login saves a checked profile (mode 0600); the commands use it, the environment, or the flags", async () => {
    const home = tempDir("opus-config-");
    const own = { XDG_CONFIG_HOME: home };
    const file = path.join(home, "opus", "profiles.json");
    const refused = await opus(["login", "--edge", edge.url, "--key", "opus_sk_not_a_real_key_at_all"], { env: own });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("refused the API key");
    expect(() => statSync(file)).toThrow();

    const saved = await opus(["login", "--edge", `${edge.url}/`, "--profile", "work"], { env: own, input: `${adminKey}\n` });
    expect(saved.code).toBe(0);
    expect(saved.stderr).toContain(`saved profile "work" for ${edge.url}`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o077).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ default: "work", profiles: { work: { edge: edge.url, key: adminKey } } });
    // A read-only key is valid too; it is saved with a note, not made the default.
    const reader = await opus(["login", "--edge", edge.url, "--key", readKey, "--profile", "reader"], { env: own });
    expect(reader.code).toBe(0);
    expect(reader.stderr).toContain("--profile reader");

    const id = await submit();
    // The default profile, a named one, the environment over the default, and flags over all.
    const [byDefault, byName, byEnv, byFlags, envBeatsDefault] = await Promise.all([
      opus(["cancel", id], { env: own }),
      opus(["cancel", id, "--profile", "reader"], { env: own }),
      opus(["cancel", id], { env: { ...own, OPUS_PROFILE: "reader" } }),
      opus(["cancel", id, "--profile", "reader", "--key", adminKey], { env: own }),
      opus(["cancel", id], { env: { ...own, OPUS_API_KEY: readKey } }),
    ]);
    expect(byDefault.code).toBe(0);
    expect(byName.code).toBe(1);
    expect(byName.stderr).toContain('"submit" scope');
    expect(byEnv.code).toBe(1);
    expect(byFlags.code).toBe(0);
    expect(envBeatsDefault.code).toBe(1);

    const out = await opus(["logout", "--profile", "work"], { env: own });
    expect(out.code).toBe(0);
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual({ default: "reader", profiles: { reader: { edge: edge.url, key: readKey } } });
    expect((await opus(["logout", "--profile", "work"], { env: own })).code).toBe(2);
  });
});

describe("opus watch on entries a real GPU node writes", () => {
  const secret = newSigningSecret();
  let node: RunningGpuNode;
  let edge: EdgeTarget;
  let conn: string[];
  const cwd = tempDir("opus-client-");
  const env = { XDG_CONFIG_HOME: tempDir("opus-config-"), OPUS_EDGE_URL: undefined, OPUS_API_KEY: undefined, OPUS_PROFILE: undefined };

  beforeAll(async () => {
    // Loaded here: the engine's native modules are for this part only.
    const { startTestNode } = await import("../support/gpu-node.ts");
    // Each knows the other's address: the node takes entries only from, and reports only to, its edge.
    const nodePort = await freePort();
    edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret, OPUS_GPU_NODE_URL: `http://127.0.0.1:${nodePort}` });
    // Bounded by work: a small tier B, so a busy machine makes it slower, never failed.
    node = await startTestNode(secret, { ...smallTierB(), OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static" }, undefined, nodePort);
    conn = ["--edge", edge.url, "--key", await newKey(edge)];
  }, 300_000);
  afterAll(async () => {
    await edge?.close();
    await node?.close();
  });

  it("follows a tier B entry to its end (needs_review with the test model: exit 4), then gets it", async () => {
    const created = await client(edge, conn[3])("POST", "/v1/entries", { ...entry, seed: 11 });
    const id = created.json.id as string;
    const res = await runCli(["watch", id, "--poll-ms", "100", ...conn], { cwd, env, timeoutMs: entryHangGuardMs });
    expect(res.code, res.stderr).toBe(4);
    const lines = res.stderr.trim().split("\n");
    // It went through the pipeline's steps, counting words and sections with an ETA while writing.
    const writing = lines.filter((l) => /^sections: .*\d+ words, sections \d\/4, ETA /.test(l));
    expect(writing.length).toBeGreaterThan(0);
    const words = writing.map((l) => Number(/([\d,]+) words/.exec(l)![1]!.replace(/,/g, "")));
    expect(words.at(-1)!).toBeGreaterThan(words[0]!);
    expect(lines.at(-1)).toMatch(new RegExp(`^needs_review \\([\\d,]+ words in 4 sections\\); read it with \`opus get ${id}\`$`));
    const md = await runCli(["get", id, ...conn], { cwd, env });
    expect(md.code).toBe(0);
    expect(md.stdout.startsWith("# Theosis\n")).toBe(true);
    const nodes = JSON.parse((await runCli(["nodes", ...conn, "--json"], { cwd, env })).stdout) as { id: string; mode: string }[];
    expect(nodes.map((n) => n.id)).toEqual(["static"]);
  }, entryHangGuardMs);

  it("ends with exit 3 when the entry is canceled with `opus cancel` mid-way", async () => {
    const created = await client(edge, conn[3])("POST", "/v1/entries", { ...entry, tier: "S" });
    const id = created.json.id as string;
    let canceled: Promise<CliResult> | undefined;
    const res = await runCli(["watch", id, "--poll-ms", "100", ...conn], {
      cwd,
      env,
      timeoutMs: entryHangGuardMs,
      onStderr: (s) => {
        if (!canceled && /^sections: /m.test(s)) canceled = runCli(["cancel", id, ...conn], { cwd, env });
      },
    });
    expect(canceled).toBeDefined();
    expect((await canceled!).code).toBe(0);
    expect(res.code).toBe(3);
    expect(res.stderr.trim().split("\n").at(-1)).toMatch(/^canceled \(/);
    await waitFor(() => (node.runner.active === 0 ? true : undefined), 60_000);
  }, entryHangGuardMs);
});
