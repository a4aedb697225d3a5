// The operations dashboard at HTTP level on both edge runtimes (the Node entry and the real Worker
// bundle under Miniflare, each on real libSQL): a known set of entries, GPU nodes and webhook
// deliveries made over the real protocol (signed heartbeats with the node's stats, a lease, node
// events), then GET /v1/ops's figures checked against what the edge recorded, admin-only access,
// and the page /portal/ops with the same figures behind the portal's sign-in.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeEvent, NodeStats } from "../../shared/api/node-protocol.ts";
import { OpsSnapshot } from "../../shared/api/ops.ts";
import { newSigningSecret, postSigned } from "../../shared/api/signing.ts";
import { lintMarkdown } from "../../shared/validation/index.ts";
import { createApiKey } from "../../edge/auth.ts";
import { entries, webhookDeliveries, webhookEndpoints } from "../../edge/db/schema.ts";
import { recordFailure } from "../../edge/nodes/breaker.ts";
import { readEdgeConfig } from "../../edge/config.ts";
import { client, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { portalClient } from "../support/portal.ts";
import { goldenReviewEntry } from "../support/review-entries.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const nodeStats: NodeStats = {
  tokens_per_second: 812.4,
  tokens_generated: 123_456,
  vram: { total_bytes: 24 * 1024 ** 3, used_bytes: 3 * 1024 ** 3 },
  memory_budget_bytes: 20 * 1024 ** 3,
  models: [{ id: "stories260K", state: "loaded", active: 1, queued: 0, loads: 1, evictions: 0 }],
};

describe.each(["node", "worker"] as const)("operations dashboard over HTTP on %s", (name) => {
  const secret = newSigningSecret();
  let target: EdgeTarget;
  let admin: { id: string; key: string };
  let reviewer: { id: string; key: string };
  const ids: string[] = [];
  const text = goldenReviewEntry({ title: "Theosis", files: ["theosis.md"], flaws: true, maxSections: 3 });

  const signed = async (path: string, body: unknown) => {
    const res = await postSigned(`${target.url}${path}`, secret, body);
    const json = (await res.json()) as any;
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  const event = (id: string, e: NodeEvent) => signed(`/v1/node/entries/${id}/events?node=gpu-a`, e);
  const record = { words: 0, sections: { done: 0, total: 3 }, tokens: 0, eta_seconds: null };

  beforeAll(async () => {
    target = await startEdgeTarget(name, { OPUS_NODE_SECRET: secret });
    admin = await createApiKey(target.db, "Operator Olga", ["admin"]);
    reviewer = await createApiKey(target.db, "Editor Anna", ["submit", "read", "review"]);
    // Two pull nodes (no URL: nothing is pushed to them); gpu-a reports its engine's stats.
    await signed("/v1/node/heartbeat", { node_id: "gpu-a", capacity: 2, active: 0, queued: 0, entries: [], model: "stories260K", stats: nodeStats });
    await signed("/v1/node/heartbeat", { node_id: "gpu-b", capacity: 1, active: 0, queued: 0, entries: [] });
    const api = client(target, reviewer.key);
    for (const subject of ["Theosis", "Hesychasm", "Icons"]) {
      const created = await api("POST", "/v1/entries", { subject, tier: "A", category: "Theology" });
      expect(created.status).toBe(202);
      ids.push(created.json.id);
      await sleep(5);
    }
    // gpu-a leases the two oldest; the third keeps waiting.
    const lease = await signed("/v1/node/lease", { node_id: "gpu-a", max: 2 });
    expect(lease.entries.map((e: { id: string }) => e.id)).toEqual(ids.slice(0, 2));
    const [first, second] = ids as [string, string];
    await event(first, { type: "progress", seq: 1, status: "blueprint", step: "blueprint", progress: 0.1, ...record });
    await sleep(120);
    await event(first, { type: "progress", seq: 2, status: "sections", step: "section I", progress: 0.4, ...record, words: 300, tokens: 450 });
    await sleep(120);
    await event(first, {
      type: "finished",
      seq: 3,
      status: "needs_review",
      step: "needs review",
      progress: 1,
      words: text.words,
      sections: { done: text.sections.length, total: text.sections.length },
      tokens: 2000,
      eta_seconds: 0,
      entry: { title: text.title, markdown: text.markdown, sections: text.sections, words: text.words, metadata: text.metadata },
    });
    await event(second, { type: "progress", seq: 1, status: "blueprint", step: "blueprint", progress: 0.1, ...record });
    await event(second, { type: "failed", seq: 2, status: "failed", step: "failed", progress: 0.1, ...record, error: { code: "model_error", message: "no usable text" } });
    // gpu-b's calls failed three times: its breaker opens.
    const config = readEdgeConfig({ OPUS_NODE_SECRET: secret, OPUS_DB_URL: "file:unused.db" });
    for (let i = 0; i < 3; i++) await recordFailure(target.db, "gpu-b", "unreachable: TypeError", Date.now(), config);
    // Webhook endpoints and deliveries of another key (written after the entries' events, so no event queues more).
    const now = Date.now();
    const endpoint = (id: string, disabledAt: number | null) => ({
      id,
      keyId: admin.id,
      url: `https://hooks.example.org/${id}`,
      events: ["entry.succeeded"],
      secret: "whsec_test",
      disabledAt,
      disabledReason: disabledAt ? "failing for 5 days" : null,
      createdAt: now,
      updatedAt: now,
    });
    await target.db.insert(webhookEndpoints).values([endpoint("wh_live", null), endpoint("wh_dead", now - 60_000)]);
    const outcomes = ["succeeded", "succeeded", "succeeded", "failed", "pending", "canceled"];
    await target.db.insert(webhookDeliveries).values(
      outcomes.map((status, i) => ({
        id: `dlv_${i}`,
        eventId: `evt_${i}`,
        keyId: admin.id,
        endpointId: "wh_live",
        url: "https://hooks.example.org/wh_live",
        entryId: first,
        eventType: "entry.succeeded",
        payload: "{}",
        status,
        createdAt: now,
        updatedAt: now,
      })),
    );
  });
  afterAll(async () => {
    await target?.close();
  });

  it("serves the figures of a known set of entries, nodes and deliveries", async () => {
    const res = await client(target, admin.key)("GET", "/v1/ops");
    expect(res.status).toBe(200);
    const ops = OpsSnapshot.parse(res.json);
    const [first, second, third] = ids as [string, string, string];

    expect(ops.entries.total).toBe(3);
    expect(ops.entries.by_status).toEqual({ needs_review: 1, failed: 1, queued: 1 });
    const entered = (status: string) => ops.entries.per_hour.reduce((n, h) => n + (h.entered[status] ?? 0), 0);
    expect([entered("queued"), entered("blueprint"), entered("sections"), entered("needs_review"), entered("failed")]).toEqual([3, 2, 1, 1, 1]);
    expect(ops.entries.per_hour.length).toBe(24);

    // Time in each step: the stints recorded in the entries' transitions.
    const rows = await target.db.select({ id: entries.id, transitions: entries.transitions }).from(entries).all();
    const stints = new Map<string, number[]>();
    for (const row of rows) for (let i = 0; i + 1 < row.transitions.length; i++) stints.set(row.transitions[i]!.status, [...(stints.get(row.transitions[i]!.status) ?? []), (row.transitions[i + 1]!.at - row.transitions[i]!.at) / 1000]);
    expect(ops.step_times.map((s) => s.status)).toEqual(["queued", "blueprint", "sections"]);
    for (const step of ops.step_times) {
      const list = stints.get(step.status)!;
      expect(step.stints).toBe(list.length);
      expect(step.mean_seconds).toBeCloseTo(list.reduce((a, b) => a + b, 0) / list.length, 2);
      expect(step.max_seconds).toBeCloseTo(Math.max(...list), 2);
    }
    expect(ops.step_times.find((s) => s.status === "blueprint")!.stints).toBe(2);
    // The first entry spent its 120 ms pauses in blueprint and in sections.
    expect(ops.step_times.find((s) => s.status === "sections")!.mean_seconds).toBeGreaterThanOrEqual(0.1);

    expect(ops.queue.depth).toBe(1);
    expect(ops.queue.oldest_waiting?.id).toBe(third);

    const a = ops.nodes.find((n) => n.id === "gpu-a")!;
    expect(a).toMatchObject({ mode: "pull", healthy: true, capacity: 2, assigned: 0, model: "stories260K", stats: nodeStats });
    const firstRow = rows.find((r) => r.id === first)!;
    const writingSeconds = (firstRow.transitions.find((t) => t.status === "needs_review")!.at - firstRow.transitions.find((t) => t.status === "blueprint")!.at) / 1000;
    expect(a.throughput).toMatchObject({ entries: 1, words: text.words, tokens: 2000 });
    expect(a.throughput.writing_seconds).toBeCloseTo(writingSeconds, 2);
    expect(a.throughput.words_per_second).toBeCloseTo(text.words / writingSeconds, 1);
    expect(a.throughput.tokens_per_second).toBeCloseTo(2000 / writingSeconds, 1);
    const b = ops.nodes.find((n) => n.id === "gpu-b")!;
    expect(b).toMatchObject({ healthy: true, capacity: 1, model: null, stats: null, throughput: { entries: 0, words_per_second: null } });
    expect(ops.breakers).toEqual([
      { node: "gpu-a", state: "closed", failures: 0, opened_at: null, last_error: null },
      { node: "gpu-b", state: "open", failures: 3, opened_at: expect.any(String), last_error: "unreachable: TypeError" },
    ]);

    // Validation failures: the issues the edge's own check finds in the finished text, by rule.
    const report = await lintMarkdown(text.markdown, { tier: "A", place: "edge" });
    const byRule = new Map<string, number>();
    for (const issue of report.issues) byRule.set(issue.rule, (byRule.get(issue.rule) ?? 0) + 1);
    expect(report.issues.length).toBeGreaterThan(0);
    expect(ops.validation.entries_checked).toBe(1);
    expect(Object.fromEntries(ops.validation.by_rule.map((r) => [r.rule, r.issues]))).toEqual(Object.fromEntries([...byRule].slice(0, 30)));
    expect(ops.validation.by_rule.every((r) => r.entries === 1)).toBe(true);

    expect(ops.webhooks.deliveries_by_outcome).toEqual({ succeeded: 3, failed: 1, pending: 1, canceled: 1 });
    expect(ops.webhooks.endpoints).toMatchObject({ total: 2, disabled: 1, disabled_list: [{ id: "wh_dead", reason: "failing for 5 days" }] });
    void second;
  });

  it("is for admin keys only", async () => {
    expect((await client(target)("GET", "/v1/ops")).status).toBe(401);
    const refused = await client(target, reviewer.key)("GET", "/v1/ops");
    expect(refused.status).toBe(403);
    expect(refused.json.error.code).toBe("forbidden");
  });

  it("draws the same figures on /portal/ops for an admin, and refuses a reviewer", async () => {
    const anonymous = await portalClient(target.url).get("/portal/ops");
    expect(anonymous.status).toBe(303);
    expect(anonymous.location).toBe("/portal/sign-in?next=%2Fportal%2Fops");

    const editor = portalClient(target.url);
    expect((await editor.signIn(reviewer.key)).status).toBe(303);
    const refused = await editor.get("/portal/ops");
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("lacks the admin scope");

    const operator = portalClient(target.url);
    expect((await operator.signIn(admin.key)).status).toBe(303);
    const page = await operator.get("/portal/ops");
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(page.text).not.toMatch(/<script(?![^>]*\bsrc=)/);
    expect(page.text).not.toMatch(/\sstyle="/);
    expect(page.text).toContain('<meta http-equiv="refresh" content="15"/>');
    // The charts are inline SVG with their labels; the figures are in the page as text.
    expect(page.text.match(/<svg class="chart[ "]/g)?.length).toBe(5);
    expect(page.text).toContain('aria-label="Entries by status now"');
    expect(page.text).toMatch(/<tr data-node="gpu-a">[\s\S]*?healthy[\s\S]*?0 of 2/);
    expect(page.text).toContain("812"); // the node's own tokens/s, from its heartbeat
    expect(page.text).toMatch(/<tr data-breaker="gpu-b">[\s\S]*?open/);
    expect(page.text).toContain("https://hooks.example.org/wh_dead");
    expect(page.text).toContain(ids[2]);
    // Fresh figures on every load: an endpoint enabled again leaves the list.
    await target.db.update(webhookEndpoints).set({ disabledAt: null }).where(eq(webhookEndpoints.id, "wh_dead"));
    const again = await operator.get("/portal/ops");
    expect(again.text).not.toContain("https://hooks.example.org/wh_dead");
  });
});
