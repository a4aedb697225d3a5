// The review API (issue 12) on both edge entries (Node, and the real Worker bundle under Miniflare),
// each on a real libSQL database: every decision with its status, webhook event and audit row;
// revisions, their reads and diffs; stale and concurrent decisions; scopes and ownership; the
// audit log's append-only rule; and a revision handed to a node through a lease and coming back.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { postSigned, newSigningSecret } from "../../shared/api/signing.ts";
import { entryMarkdown, joinSection } from "../../shared/review/sections.ts";
import { createApiKey } from "../../edge/auth.ts";
import { auditLog, entryRevisions, revisionRequests } from "../../edge/db/schema.ts";
import { client, newKey, sendNodeEvent, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { startReceiver, waitFor, type Receiver } from "../delivery/receivers.ts";

const numerals = ["I", "II", "III", "IV", "V", "VI"];
const sentence = (s: number, p: number) =>
  `The Fathers teach in section ${numerals[s]} that deification is union with God by grace, paragraph ${p + 1} explaining how the faithful share in the divine energies without becoming God by nature.`;
/** A six-section entry as the pipeline assembles it (house indent, `## N. Title`). */
function sixSections() {
  const sections = numerals.map((n, s) => joinSection(`${n}. Part ${n}`, `## ${n}. Part ${n}`, [0, 1, 2].map((p) => sentence(s, p))));
  return { title: "Theosis", sections, markdown: entryMarkdown("Theosis", sections), words: sections.reduce((n, s) => n + s.words, 0) };
}

function finishedEvent(seq: number, entry: ReturnType<typeof sixSections>, status: "succeeded" | "needs_review" = "needs_review", metadata: Record<string, unknown> = {}): NodeEvent {
  return {
    type: "finished",
    seq,
    status,
    step: status === "succeeded" ? "finished" : "needs review",
    progress: 1,
    words: entry.words,
    sections: { done: 6, total: 6 },
    tokens: 100,
    eta_seconds: 0,
    entry: { ...entry, metadata: { seed: 7, prompt_version: "test", quality: { combined: 0.8 }, ...metadata } },
  };
}

describe.each(["node", "worker"] as const)("review API on %s", (name) => {
  const secret = newSigningSecret();
  let target: EdgeTarget;
  let receiver: Receiver;
  let alice: ReturnType<typeof client>;
  let aliceId: string;
  let reader: ReturnType<typeof client>;
  let bob: ReturnType<typeof client>;
  let admin: ReturnType<typeof client>;
  let hooks = 0;

  beforeAll(async () => {
    receiver = await startReceiver();
    target = await startEdgeTarget(name, { OPUS_NODE_SECRET: secret, OPUS_WEBHOOK_ALLOW_PRIVATE: "true", OPUS_WEBHOOK_PROGRESS_INTERVAL_S: "0" });
    const aliceKey = await createApiKey(target.db, "alice", ["submit", "read", "review"]);
    alice = client(target, aliceKey.key);
    aliceId = aliceKey.id;
    reader = client(target, await newKey(target, "reader", ["read"]));
    bob = client(target, await newKey(target, "bob", ["submit", "read", "review"]));
    admin = client(target, await newKey(target, "root", ["admin"]));
  });
  afterAll(async () => {
    await target?.close();
    await receiver?.close();
  });

  /** A new entry of alice's, finished by a node with six sections; its webhooks go to their own path. */
  async function finishedEntry(status: "succeeded" | "needs_review" = "needs_review") {
    const path = `/hooks/${++hooks}`;
    const created = await alice("POST", "/v1/entries", { subject: "Theosis", tier: "S", category: "Theology", webhook_url: `${receiver.url}${path}` });
    expect(created.status).toBe(202);
    const id = created.json.id as string;
    const text = sixSections();
    const sent = await sendNodeEvent(target, id, finishedEvent(1, text, status));
    expect(sent.json.applied).toBe(true);
    const events = () => receiver.on(path).map((r) => JSON.parse(r.body) as { type: string; data: { status: string; revision?: number } });
    return { id, text, events };
  }
  const decide = (api: ReturnType<typeof client>, id: string, body: unknown) => api("POST", `/v1/entries/${id}/decisions`, body);
  const auditOf = async (id: string) => (await alice("GET", `/v1/entries/${id}/audit`)).json.data as any[];
  const eventArrives = (events: () => { type: string; data: any }[], type: string) => waitFor(() => events().find((e) => e.type === type), 10_000, type);

  it("keeps the pipeline's text as revision 1, readable as Markdown or JSON", async () => {
    const { id, text } = await finishedEntry();
    const list = await alice("GET", `/v1/entries/${id}/revisions`);
    expect(list.status).toBe(200);
    expect(list.json.current).toBe(1);
    expect(list.json.data).toHaveLength(1);
    expect(list.json.data[0]).toMatchObject({ number: 1, kind: "pipeline", base: null, author: { key_id: null, name: "pipeline" }, words: text.words, sections_changed: [] });
    expect(list.json.data[0].validation).toMatchObject({ passed: expect.any(Boolean), score: expect.any(Number) });
    const md = await alice("GET", `/v1/entries/${id}/revisions/1`);
    expect(md.headers.get("content-type")).toContain("text/markdown");
    expect(md.text).toBe(text.markdown);
    const json = await alice("GET", `/v1/entries/${id}/revisions/current`, undefined, { accept: "application/json" });
    expect(json.json.sections).toEqual(text.sections);
    expect(json.json.metadata.edge_validation.issues).toBeInstanceOf(Array);
    expect((await alice("GET", `/v1/entries/${id}/revisions/2`)).json.error.code).toBe("revision_not_found");
    expect((await alice("GET", `/v1/entries/${id}/revisions/x?format=json`)).status).toBe(422);
  });

  it("approves: status approved, entry.approved, an audit row; the entry is then final", async () => {
    const { id, events } = await finishedEntry();
    const res = await decide(alice, id, { action: "approve", revision: 1, reason: "sound and complete" });
    expect(res.status).toBe(200);
    expect(res.json.revision).toBe(1);
    expect(res.json.entry.status).toBe("approved");
    expect(res.json.entry.transitions.map((t: { status: string }) => t.status).slice(-2)).toEqual(["needs_review", "approved"]);
    const event = await eventArrives(events, "entry.approved");
    expect(event.data).toMatchObject({ id, status: "approved", revision: 1 });
    const audit = await auditOf(id);
    expect(audit).toEqual([
      expect.objectContaining({ action: "approve", key_id: aliceId, key_name: "alice", entry_id: id, revision: 1, reason: "sound and complete" }),
    ]);
    expect(Date.parse(audit[0].at)).toBeGreaterThan(Date.now() - 60_000);
    const again = await decide(alice, id, { action: "reject", revision: 1, reason: "changed my mind" });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ error: { code: "not_reviewable" }, current: { revision: 1, status: "approved" } });
    expect(await auditOf(id)).toHaveLength(1);
  });

  it("rejects with a reason (required): status rejected, entry.rejected, an audit row with the reason", async () => {
    const { id, events } = await finishedEntry("succeeded");
    const missing = await decide(alice, id, { action: "reject", revision: 1 });
    expect(missing.status).toBe(422);
    expect(missing.json.error.fields.map((f: { field: string }) => f.field)).toEqual(["reason"]);
    const res = await decide(alice, id, { action: "reject", revision: 1, reason: "misattributes a quotation to St Basil" });
    expect(res.status).toBe(200);
    expect(res.json.entry.status).toBe("rejected");
    expect((await eventArrives(events, "entry.rejected")).data).toMatchObject({ status: "rejected", revision: 1 });
    expect(await auditOf(id)).toEqual([expect.objectContaining({ action: "reject", reason: "misattributes a quotation to St Basil", revision: 1 })]);
  });

  it("edits paragraphs by hand: a new revision with its own report, the rest byte for byte, a word diff", async () => {
    const { id, text, events } = await finishedEntry("succeeded");
    const newText = "Saint Maximus the Confessor calls deification the goal for which God made the world, a union of love in which the creature remains a creature.";
    const res = await decide(alice, id, { action: "edit", revision: 1, reason: "clearer opening", edits: [{ section: 2, paragraph: 1, text: `  ${newText}\n` }] });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.revision).toBe(2);
    // The gate had passed it; a hand edit brings it to review.
    expect(res.json.entry.status).toBe("needs_review");
    expect((await eventArrives(events, "entry.edited")).data).toMatchObject({ status: "needs_review", revision: 2 });
    const revision = (await alice("GET", `/v1/entries/${id}/revisions/2?format=json`)).json;
    expect(revision).toMatchObject({ number: 2, kind: "edit", base: 1, author: { key_id: aliceId, name: "alice" }, reason: "clearer opening", sections_changed: [2] });
    expect(revision.metadata.edge_validation).toBeDefined();
    expect(revision.metadata.edited).toEqual({ base: 1 });
    for (const s of [0, 1, 3, 4, 5]) expect(revision.sections[s]).toEqual(text.sections[s]);
    expect(revision.sections[2].markdown).toContain(`\u00a0\u00a0\u00a0\u00a0${newText}`);
    expect(revision.sections[2].markdown.split("\n\n")[1]).toBe(`\u00a0\u00a0\u00a0\u00a0${sentence(2, 0)}`);
    // The content route serves the current revision; revision 1 is kept as it was.
    const content = await alice("GET", `/v1/entries/${id}/content`);
    expect(content.text).toBe(revision.markdown);
    expect((await alice("GET", `/v1/entries/${id}/revisions/1`)).text).toBe(text.markdown);
    const diff = await alice("GET", `/v1/entries/${id}/diff`);
    expect(diff.status).toBe(200);
    expect(diff.json).toMatchObject({ from: 1, to: 2, counts: { sections_changed: 1 } });
    expect(diff.json.counts.words_added).toBeGreaterThan(10);
    expect(diff.json.sections.filter((s: { changed: boolean }) => s.changed).map((s: { index: number }) => s.index)).toEqual([2]);
    const parts = diff.json.sections[2].parts as { kind: string; text: string }[];
    expect(parts.filter((p) => p.kind === "added").map((p) => p.text).join(" ")).toContain("Maximus");
    expect(parts.filter((p) => p.kind === "removed").map((p) => p.text).join(" ")).toContain("paragraph");
    // Rebuilding revision 2's section from the diff's same + added parts gives its text exactly.
    expect(parts.filter((p) => p.kind !== "removed").map((p) => p.text).join("")).toBe(revision.sections[2].markdown);
    expect(await auditOf(id)).toEqual([expect.objectContaining({ action: "edit", revision: 2, reason: "clearer opening", detail: { base: 1, sections: [2], paragraphs: [{ section: 2, paragraph: 1 }] } })]);
    // Named revisions in either order.
    expect((await alice("GET", `/v1/entries/${id}/diff?from=2&to=1`)).json.counts.sections_changed).toBe(1);
    expect((await alice("GET", `/v1/entries/${id}/diff?from=1&to=9`)).status).toBe(404);
  });

  it("answers a decision on a stale revision with 409 and the current revision", async () => {
    const { id } = await finishedEntry();
    expect((await decide(alice, id, { action: "edit", revision: 1, edits: [{ section: 0, paragraph: 0, text: "A new first paragraph about grace." }] })).status).toBe(200);
    for (const body of [
      { action: "approve", revision: 1 },
      { action: "edit", revision: 1, edits: [{ section: 1, paragraph: 0, text: "Another." }] },
      { action: "revise", revision: 1, sections: [{ section: 1, instructions: "Cite St Gregory Palamas." }] },
    ]) {
      const stale = await decide(alice, id, body);
      expect(stale.status, body.action).toBe(409);
      expect(stale.json).toMatchObject({ error: { code: "stale_revision" }, current: { revision: 2, status: "needs_review" } });
    }
    expect((await decide(alice, id, { action: "approve", revision: 2 })).json.entry.status).toBe("approved");
    expect((await auditOf(id)).map((a) => a.action)).toEqual(["edit", "approve"]);
  });

  it("lets only one of two concurrent decisions on the same revision win", async () => {
    for (const [first, second] of [
      [{ action: "approve", revision: 1 }, { action: "reject", revision: 1, reason: "no" }],
      [
        { action: "edit", revision: 1, edits: [{ section: 0, paragraph: 0, text: "First reviewer's paragraph." }] },
        { action: "edit", revision: 1, edits: [{ section: 0, paragraph: 0, text: "Second reviewer's paragraph." }] },
      ],
      [{ action: "revise", revision: 1, sections: [{ section: 3, instructions: "Shorter." }] }, { action: "approve", revision: 1 }],
    ] as const) {
      const { id } = await finishedEntry();
      const results = await Promise.all([decide(alice, id, first), decide(alice, id, second)]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses, JSON.stringify(results.map((r) => r.json))).toEqual([200, 409]);
      const lost = results.find((r) => r.status === 409)!;
      expect(["stale_revision", "not_reviewable"]).toContain(lost.json.error.code);
      const won = results.find((r) => r.status === 200)!;
      expect(lost.json.current).toEqual({ revision: won.json.revision, status: won.json.entry.status });
      expect(await auditOf(id)).toHaveLength(1);
      expect((await alice("GET", `/v1/entries/${id}/revisions`)).json.data).toHaveLength(won.json.revision);
    }
  });

  it("sends chosen sections back: revising, handed to a node with the request, and back as the next revision", async () => {
    const { id, text, events } = await finishedEntry();
    const res = await decide(alice, id, {
      action: "revise",
      revision: 1,
      reason: "two sections are thin",
      sections: [
        { section: 4, instructions: "Quote St Athanasius, On the Incarnation 54." },
        { section: 1, instructions: "Explain the essence-energies distinction." },
      ],
    });
    expect(res.status, JSON.stringify(res.json)).toBe(200);
    expect(res.json.entry).toMatchObject({ status: "revising", progress: 0, sections: { done: 0, total: 2 } });
    expect(res.json.entry.step).toContain("revision 2");
    expect((await eventArrives(events, "entry.revising")).data).toMatchObject({ status: "revising", revision: 1 });
    expect(await auditOf(id)).toEqual([
      expect.objectContaining({ action: "revise", revision: 1, reason: "two sections are thin", detail: expect.objectContaining({ sections: [1, 4], revision_requested: 2 }) }),
    ]);
    // A revising entry takes no decision until it comes back.
    expect((await decide(alice, id, { action: "approve", revision: 1 })).json).toMatchObject({ error: { code: "not_reviewable" }, current: { revision: 1, status: "revising" } });

    // A pull-mode node leases it like any entry, with the revision to write.
    const signed = async (route: string, body: unknown) => (await postSigned(`${target.url}${route}`, secret, body)).json() as Promise<any>;
    await signed("/v1/node/heartbeat", { node_id: `pull-${name}`, url: null, capacity: 4, active: 0, entries: [] });
    const leased = await signed("/v1/node/lease", { node_id: `pull-${name}`, max: 4 });
    const assignment = leased.entries.find((e: { id: string }) => e.id === id);
    expect(assignment.revision).toMatchObject({ number: 2, base: 1, title: "Theosis", seed: 7, sections: text.sections });
    expect(assignment.revision.requests).toEqual([
      { section: 1, instructions: "Explain the essence-energies distinction." },
      { section: 4, instructions: "Quote St Athanasius, On the Incarnation 54." },
    ]);

    // The node reports progress as "revising", then the revision. It also (wrongly) changed section
    // 0: the edge keeps the base revision's bytes for every section nobody asked to rewrite.
    const node = `?node=pull-${name}`;
    const post = (e: NodeEvent) => postSigned(`${target.url}/v1/node/entries/${id}/events${node}`, secret, e).then((r) => r.json() as Promise<any>);
    const progress = await post({ type: "progress", seq: 2, status: "revising", step: "rewriting section II", progress: 0.4, words: text.words, sections: { done: 1, total: 2 }, tokens: 30, eta_seconds: 5 });
    expect(progress.applied).toBe(true);
    expect((await alice("GET", `/v1/entries/${id}`)).json).toMatchObject({ status: "revising", progress: 0.4, step: "rewriting section II" });
    const rewritten = sixSections();
    rewritten.sections[1] = joinSection("II. Part II", "## II. Part II", ["The essence of God remains unknowable, while His uncreated energies are truly shared with the saints."]);
    rewritten.sections[4] = joinSection("V. Part V", "## V. Part V", ["God became man that we might become god, writes St Athanasius in On the Incarnation 54."]);
    rewritten.sections[0] = joinSection("I. Part I", "## I. Part I", ["A node must not touch this section."]);
    // The node says "succeeded" and sends a stale Markdown: the edge rebuilds it and keeps the verdict for a reviewer.
    const back = await post(finishedEvent(3, { ...rewritten, markdown: "ignored", words: 1 }, "succeeded"));
    expect(back.applied).toBe(true);

    const status = (await alice("GET", `/v1/entries/${id}`)).json;
    expect(status).toMatchObject({ status: "needs_review", progress: 1 });
    expect((await eventArrives(events, "entry.revised")).data).toMatchObject({ status: "needs_review", revision: 2 });
    const revision = (await alice("GET", `/v1/entries/${id}/revisions/2?format=json`)).json;
    expect(revision).toMatchObject({ number: 2, kind: "revision", base: 1, author: { key_id: aliceId, name: "alice" }, reason: "two sections are thin", sections_changed: [1, 4] });
    expect(revision.metadata.revision).toMatchObject({ number: 2, base: 1, requested: [1, 4], sections_changed: [1, 4], restored_sections: [0] });
    expect(revision.metadata.edge_validation).toBeDefined();
    expect(typeof revision.metadata.quality_score).toBe("number");
    for (const s of [0, 2, 3, 5]) expect(revision.sections[s]).toEqual(text.sections[s]);
    expect(revision.sections[1]).toEqual(rewritten.sections[1]);
    expect(revision.markdown).toBe(entryMarkdown("Theosis", revision.sections));
    expect((await alice("GET", `/v1/entries/${id}/content`)).text).toBe(revision.markdown);
    expect((await auditOf(id)).map((a) => [a.action, a.revision, a.key_id])).toEqual([
      ["revise", 1, aliceId],
      ["revised", 2, null],
    ]);
    // And it can be decided on at its new revision.
    expect((await decide(alice, id, { action: "approve", revision: 2 })).json.entry.status).toBe("approved");
  });

  it("retries a revision that failed: back to revising, handed out again with the same request", async () => {
    const { id } = await finishedEntry();
    expect((await decide(alice, id, { action: "revise", revision: 1, sections: [{ section: 2, instructions: "Fewer adjectives." }] })).status).toBe(200);
    const failed = await sendNodeEvent(target, id, { type: "failed", seq: 2, status: "failed", step: "failed", progress: 0.3, words: 0, sections: { done: 0, total: 1 }, tokens: 0, eta_seconds: null, error: { code: "generation_failed", message: "boom" } });
    expect(failed.json.applied).toBe(true);
    expect((await alice("GET", `/v1/entries/${id}`)).json.status).toBe("failed");
    const retried = await alice("POST", `/v1/entries/${id}/retry`);
    expect(retried.status).toBe(202);
    expect(retried.json.status).toBe("revising");
    const signed = async (route: string, body: unknown) => (await postSigned(`${target.url}${route}`, secret, body)).json() as Promise<any>;
    await signed("/v1/node/heartbeat", { node_id: `retry-${name}`, url: null, capacity: 8, active: 0, entries: [] });
    const leased = await signed("/v1/node/lease", { node_id: `retry-${name}`, max: 8 });
    const assignment = leased.entries.find((e: { id: string }) => e.id === id);
    expect(assignment).toMatchObject({ attempt: 1, revision: { number: 2, base: 1, requests: [{ section: 2, instructions: "Fewer adjectives." }] } });
    // The revision keeps its number: the entry is still at revision 1, and nothing was lost.
    expect((await alice("GET", `/v1/entries/${id}/revisions`)).json.current).toBe(1);
  });

  it("names the field of a decision that does not fit the entry (422)", async () => {
    const { id } = await finishedEntry();
    const cases: [unknown, string][] = [
      [{ action: "revise", revision: 1, sections: [{ section: 6, instructions: "x" }] }, "sections.0.section"],
      [{ action: "revise", revision: 1, sections: [{ section: 1, instructions: "x" }, { section: 1, instructions: "y" }] }, "sections.1.section"],
      [{ action: "revise", revision: 1, sections: [{ section: 1, instructions: "  " }] }, "sections.0.instructions"],
      [{ action: "edit", revision: 1, edits: [{ section: 0, paragraph: 3, text: "x" }] }, "edits.0.paragraph"],
      [{ action: "edit", revision: 1, edits: [] }, "edits"],
      [{ action: "publish", revision: 1 }, "action"],
      [{ action: "approve", revision: 0 }, "revision"],
      [{ action: "approve", revision: 1, colour: "red" }, "colour"],
    ];
    for (const [body, field] of cases) {
      const res = await decide(alice, id, body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.error.fields.map((f: { field: string }) => f.field), JSON.stringify(body)).toContain(field);
    }
    expect(await auditOf(id)).toEqual([]);
    // Nothing finished yet: no decision.
    const queued = (await alice("POST", "/v1/entries", { subject: "Kenosis", tier: "B", category: "Theology" })).json.id;
    expect((await decide(alice, queued, { action: "approve", revision: 1 })).json).toMatchObject({ error: { code: "not_reviewable" }, current: { revision: 0, status: "queued" } });
  });

  it("needs the review scope to decide, and hides another key's entries (404)", async () => {
    const { id } = await finishedEntry();
    const denied = await decide(reader, id, { action: "approve", revision: 1 });
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe("forbidden");
    for (const [method, route, body] of [
      ["POST", `/v1/entries/${id}/decisions`, { action: "approve", revision: 1 }],
      ["GET", `/v1/entries/${id}/revisions`],
      ["GET", `/v1/entries/${id}/revisions/1`],
      ["GET", `/v1/entries/${id}/diff?from=1&to=1`],
      ["GET", `/v1/entries/${id}/audit`],
    ] as const) {
      const res = await bob(method, route, body);
      expect(res.status, `${method} ${route}`).toBe(404);
      expect(res.json.error.code).toBe("entry_not_found");
    }
    expect((await alice("GET", `/v1/entries/${id}`)).json.status).toBe("needs_review");
    // The whole log is for admins.
    expect((await alice("GET", "/v1/audit")).status).toBe(403);
  });

  it("keeps an append-only audit log: admins read it all, no route changes it, the database refuses to", async () => {
    const { id } = await finishedEntry();
    await decide(alice, id, { action: "reject", revision: 1, reason: "off topic" });
    const page = await admin("GET", "/v1/audit?limit=2");
    expect(page.status).toBe(200);
    expect(page.json.data).toHaveLength(2);
    expect(page.json.data[0]).toMatchObject({ action: "reject", entry_id: id, reason: "off topic", key_name: "alice" });
    expect(page.json.data[0].id).toBeGreaterThan(page.json.data[1].id);
    const next = await admin("GET", `/v1/audit?limit=2&cursor=${page.json.next_cursor}`);
    expect(next.json.data[0].id).toBeLessThan(page.json.data[1].id);
    expect((await admin("GET", `/v1/audit?entry_id=${id}`)).json.data.map((a: { action: string }) => a.action)).toEqual(["reject"]);
    expect((await admin("GET", "/v1/audit?cursor=nope")).status).toBe(422);

    const before = (await admin("GET", "/v1/audit?limit=200")).json.data;
    for (const [method, route] of [
      ["DELETE", "/v1/audit"],
      ["DELETE", `/v1/audit/${before[0].id}`],
      ["PUT", `/v1/audit/${before[0].id}`],
      ["PATCH", `/v1/audit/${before[0].id}`],
      ["POST", "/v1/audit"],
      ["DELETE", `/v1/entries/${id}/audit`],
      ["POST", `/v1/entries/${id}/audit`],
      ["DELETE", `/v1/entries/${id}/revisions/1`],
      ["PUT", `/v1/entries/${id}/revisions/1`],
    ] as const) {
      const res = await admin(method, route, method === "DELETE" ? undefined : { reason: "tampered" });
      expect(res.status, `${method} ${route}`).toBe(404);
    }
    // Even with the database in hand, rows cannot be changed or removed.
    const refusal = (work: PromiseLike<unknown>) =>
      Promise.resolve(work).then(
        () => "changed",
        (e: Error & { cause?: Error }) => `${e.message} ${e.cause?.message ?? ""}`,
      );
    expect(await refusal(target.db.update(auditLog).set({ reason: "tampered" }).where(eq(auditLog.entryId, id)))).toMatch(/audit_log is append-only/);
    expect(await refusal(target.db.delete(auditLog).where(eq(auditLog.entryId, id)))).toMatch(/audit_log is append-only/);
    expect(await refusal(target.db.update(entryRevisions).set({ markdown: "tampered" }).where(eq(entryRevisions.entryId, id)))).toMatch(/kept as written/);
    expect(await refusal(target.db.delete(entryRevisions).where(eq(entryRevisions.entryId, id)))).toMatch(/kept as written/);
    expect((await admin("GET", "/v1/audit?limit=200")).json.data).toEqual(before);
    expect((await target.db.select().from(revisionRequests).all()).every((r) => r.keyName === "alice")).toBe(true);
  });
});
