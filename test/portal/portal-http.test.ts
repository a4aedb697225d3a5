// The review portal at HTTP level on both edge runtimes: the Node entry and the real Worker bundle
// under Miniflare, each on a real libSQL database. Sign-in and the session cookie, the security
// headers, CSRF refusals, the queue's sorting, filters and pages, the entry page's marks, every
// decision as a form that posts and redirects (with its audit row), stale decisions, the revision
// status route's ETag, history and diff pages, and sign-out.
import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { lintMarkdown } from "../../shared/validation/index.ts";
import { createApiKey } from "../../edge/auth.ts";
import { apiKeys, auditLog, entries } from "../../edge/db/schema.ts";
import { client, newKey, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { countMatches, csrfOf, finishedEntry, portalClient, type PortalClient } from "../support/portal.ts";
import { goldenReviewEntry } from "../support/review-entries.ts";

const small = () => goldenReviewEntry({ files: ["theosis.md"], flaws: true, maxSections: 4 });

describe.each(["node", "worker"] as const)("review portal over HTTP on %s", (name) => {
  const secret = newSigningSecret();
  let target: EdgeTarget;
  let editorKey: { id: string; key: string };
  let editor: PortalClient;
  let otherKey: string;

  beforeAll(async () => {
    target = await startEdgeTarget(name, { OPUS_NODE_SECRET: secret });
    editorKey = await createApiKey(target.db, "Editor Anna", ["submit", "read", "review"]);
    otherKey = await newKey(target, "other", ["submit", "read", "review"]);
    editor = portalClient(target.url);
    const signed = await editor.signIn(editorKey.key);
    expect(signed.status).toBe(303);
  });
  afterAll(async () => {
    await target?.close();
  });

  it("sends a visitor without a session to sign in, with strict security headers and no inline code", async () => {
    const anonymous = portalClient(target.url);
    const queue = await anonymous.get("/portal/queue?tier=S");
    expect(queue.status).toBe(303);
    expect(queue.location).toBe(`/portal/sign-in?next=${encodeURIComponent("/portal/queue?tier=S")}`);
    const page = await anonymous.get("/portal/sign-in");
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(page.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(page.text.startsWith("<!doctype html>")).toBe(true);
    // Every script is a file from the edge; no inline script, no inline style, no event handler attribute.
    expect(page.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    expect(page.text).not.toMatch(/\sstyle="/);
    expect(page.text).not.toMatch(/\son[a-z]+="/);
    expect(page.text).toContain('<label for="key">');
    expect(page.text).toMatch(/<main id="main"/);
  });

  it("serves its script, stylesheet and icon itself, with integrity hashes that match", async () => {
    const page = await editor.get("/portal/queue");
    for (const [, src, integrity] of page.text.matchAll(/(?:src|href)="(\/portal\/assets\/[^"]+)" integrity="(sha384-[^"]+)"/g)) {
      const asset = await fetch(`${target.url}${src}`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get("cache-control")).toContain("immutable");
      const body = Buffer.from(await asset.arrayBuffer());
      expect(`sha384-${createHash("sha384").update(body).digest("base64")}`).toBe(integrity);
    }
    expect(countMatches(page.text, /integrity="sha384-/)).toBe(2);
    expect((await fetch(`${target.url}/portal/assets/portal.000000000000.js`)).status).toBe(404);
  });

  it("signs in only with a known review key, into a signed HttpOnly SameSite cookie", async () => {
    const visitor = portalClient(target.url);
    expect((await visitor.signIn("opus_sk_notarealkeyatall")).status).toBe(401);
    const readOnly = await newKey(target, "reader", ["read"]);
    const refused = await visitor.signIn(readOnly);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("lacks the review scope");
    const ok = await visitor.signIn(editorKey.key);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe("/portal/queue");
    const cookie = ok.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^opus_session=/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=28800/);
    expect(cookie).toMatch(/Path=\//);
    // Served over http here: not Secure (a browser would drop it); the key itself is never in it.
    expect(cookie).not.toMatch(/Secure/);
    expect(cookie).not.toContain(editorKey.key);
    expect((await visitor.get("/portal/queue")).status).toBe(200);
    // A tampered cookie (another key id under the same signature) is no session.
    const forged = portalClient(target.url);
    forged.cookie = visitor.cookie.replace(/key_[0-9a-z]+/, (await createApiKey(target.db, "x", ["review"])).id);
    expect((await forged.get("/portal/queue")).status).toBe(303);
    // Only a path inside the portal is followed after signing in.
    const next = await portalClient(target.url).raw("POST", "/portal/sign-in", { form: { key: editorKey.key, next: "//evil.example/x" } });
    expect(next.location).toBe("/portal/queue");
  });

  it("ends every session of a key when the key is revoked", async () => {
    const key = await createApiKey(target.db, "temp", ["review"]);
    const visitor = portalClient(target.url);
    await visitor.signIn(key.key);
    expect((await visitor.get("/portal/queue")).status).toBe(200);
    await target.db.update(apiKeys).set({ revokedAt: Date.now() }).where(eq(apiKeys.id, key.id));
    expect((await visitor.get("/portal/queue")).status).toBe(303);
  });

  it("lists the key's entries needing review, sorted, filtered and paged", async () => {
    const reviewer = await createApiKey(target.db, "queue reviewer", ["submit", "read", "review"]);
    const queueClient = portalClient(target.url);
    await queueClient.signIn(reviewer.key);
    const clean = goldenReviewEntry({ files: ["theotokos.md"], maxSections: 4 });
    const flawed = small();
    const ids: string[] = [];
    for (let i = 0; i < 26; i++) {
      ids.push(await finishedEntry(target, reviewer.key, i % 3 === 0 ? flawed : clean, { subject: `Entry ${String(i).padStart(2, "0")}`, tier: i % 2 === 0 ? "S" : "B" }));
    }
    const decided = await finishedEntry(target, reviewer.key, clean, { subject: "Decided already" });
    expect((await client(target, reviewer.key)("POST", `/v1/entries/${decided}/decisions`, { action: "approve", revision: 1 })).status).toBe(200);
    await finishedEntry(target, otherKey, flawed, { subject: "Someone else's" });

    const first = await queueClient.get("/portal/queue");
    expect(first.status).toBe(200);
    expect(first.text).toContain("26 entries; showing 1 to 25.");
    expect(countMatches(first.text, /<a href="\/portal\/entries\/ent_/)).toBe(25);
    expect(first.text).not.toContain("Someone else");
    expect(first.text).not.toContain("Decided already");
    // Oldest first by default (the age column, descending).
    expect(first.text.indexOf("Entry 00")).toBeLessThan(first.text.indexOf("Entry 01"));
    expect(first.text).toContain('rel="next"');
    const second = await queueClient.get("/portal/queue?page=2");
    expect(countMatches(second.text, /<a href="\/portal\/entries\/ent_/)).toBe(1);
    expect(second.text).toContain("Entry 25");

    // Lowest score first: a flawed entry leads.
    const byScore = await queueClient.get("/portal/queue?sort=score");
    const firstRow = /<a href="\/portal\/entries\/(ent_[0-9a-z]+)">([^<]+)<\/a>/.exec(byScore.text)!;
    expect(Number(firstRow[2]!.slice(6)) % 3).toBe(0);
    const scores = [...byScore.text.matchAll(/<td class="num">(\d\.\d{3})<\/td>/g)].map((m) => Number(m[1]));
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
    // Filters: tier, worst issue, subject search; the status filter shows the ones that passed.
    const tierB = await queueClient.get("/portal/queue?tier=B");
    expect(tierB.text).toContain("13 entries;");
    const critical = await queueClient.get("/portal/queue?worst=critical");
    expect(critical.text).toContain("9 entries;");
    expect(critical.text).toContain("style/em-dash");
    expect((await queueClient.get("/portal/queue?q=Entry%2025")).text).toContain("1 entry;");
    expect((await queueClient.get("/portal/queue?status=approved")).text).toContain("Decided already");
    const bad = await queueClient.get("/portal/queue?sort=nonsense");
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("sort");
  });

  it("shows an entry with every issue marked at its span, its scores, blueprint and citations", async () => {
    const text = small();
    const id = await finishedEntry(target, editorKey.key, text);
    const report = await lintMarkdown(text.markdown, { tier: "S", place: "edge" });
    expect(report.issues.length).toBeGreaterThan(10);
    const page = await editor.get(`/portal/entries/${id}`);
    expect(page.status).toBe(200);
    expect(countMatches(page.text, /<a class="issue-ref sev-/)).toBe(report.issues.length);
    // Each note names its severity in words, the rule and the dimension.
    for (const issue of report.issues.slice(0, 20)) expect(page.text).toContain(`<span class="rule">${issue.rule}</span>`);
    expect(page.text).toMatch(/<span class="sev sev-critical">critical<\/span> <span class="rule">style\/em-dash<\/span> <span class="dim">counts against style/);
    // The em dash itself is inside a mark, right where the text has it.
    expect(page.text).toMatch(/<mark class="issue sev-critical" data-issues="\d+">\u2014<\/mark><a class="issue-ref sev-critical"/);
    for (const dimension of ["style", "structure", "citations", "doctrine", "uniqueness"]) expect(page.text).toContain(`<th scope="row">${dimension}</th>`);
    expect(page.text).toContain("Blueprint");
    expect(page.text).toContain((text.metadata.plan as { goal: string }[])[0]!.goal);
    expect(page.text).toContain("Citations found");
    expect(page.text).toContain("Genesis 1:26");
    expect(page.text).toContain(`name="instructions-3"`);
    expect(page.text).toMatch(/<dialog id="shortcuts"/);
    // Another key's entry is not found.
    const stranger = await finishedEntry(target, otherKey, text);
    expect((await editor.get(`/portal/entries/${stranger}`)).status).toBe(404);
    expect((await editor.get(`/portal/entries/not-an-id`)).status).toBe(404);
  });

  it("refuses forms without the session's CSRF token, from other origins, or not as forms", async () => {
    const id = await finishedEntry(target, editorKey.key, small());
    const page = await editor.get(`/portal/entries/${id}`);
    const token = csrfOf(page.text);
    const approve = { action: "approve", revision: "1" };
    const missing = await editor.post(`/portal/entries/${id}/decisions`, approve);
    expect(missing.status).toBe(403);
    const wrong = await editor.post(`/portal/entries/${id}/decisions`, { ...approve, _csrf: token.replace(/^./, (c) => (c === "A" ? "B" : "A")) });
    expect(wrong.status).toBe(403);
    const crossSite = await editor.post(`/portal/entries/${id}/decisions`, { ...approve, _csrf: token }, { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    const json = await editor.raw("POST", `/portal/entries/${id}/decisions`, { body: JSON.stringify({ ...approve, _csrf: token }), headers: { "content-type": "application/json", origin: target.url } });
    expect(json.status).toBe(415);
    // Another session's token does not work either.
    const other = portalClient(target.url);
    await other.signIn(editorKey.key);
    expect((await other.post(`/portal/entries/${id}/decisions`, { ...approve, _csrf: token })).status).toBe(403);
    const row = await target.db.select({ status: entries.status }).from(entries).where(eq(entries.id, id)).get();
    expect(row!.status).toBe("needs_review");
  });

  it("approves through the form: 303 back to the entry, status approved, an audit row", async () => {
    const id = await finishedEntry(target, editorKey.key, small());
    const token = csrfOf((await editor.get(`/portal/entries/${id}`)).text);
    const res = await editor.post(`/portal/entries/${id}/decisions`, { _csrf: token, action: "approve", revision: "1" });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/portal/entries/${id}?done=approved`);
    const after = await editor.get(res.location!);
    expect(after.text).toContain("Approved. The entry leaves the queue.");
    expect(after.text).toContain("Status <strong>approved</strong>");
    expect(after.text).not.toContain("Approve revision");
    const audit = await target.db.select().from(auditLog).where(eq(auditLog.entryId, id)).all();
    expect(audit).toEqual([expect.objectContaining({ action: "approve", keyId: editorKey.id, keyName: "Editor Anna", revision: 1 })]);
    // A second decision on it is refused, and the text typed is shown back.
    const again = await editor.post(`/portal/entries/${id}/decisions`, { _csrf: token, action: "reject", revision: "1", reason: "second thoughts" });
    expect(again.status).toBe(409);
    expect(again.text).toContain("second thoughts");
  });

  it("rejects only with a reason", async () => {
    const id = await finishedEntry(target, editorKey.key, small());
    const token = csrfOf((await editor.get(`/portal/entries/${id}`)).text);
    const empty = await editor.post(`/portal/entries/${id}/decisions`, { _csrf: token, action: "reject", revision: "1", reason: "  " });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain("Say why the entry is rejected.");
    const res = await editor.post(`/portal/entries/${id}/decisions`, { _csrf: token, action: "reject", revision: "1", reason: "Section II misreads Athanasius" });
    expect(res.status).toBe(303);
    const audit = await client(target, editorKey.key)("GET", `/v1/entries/${id}/audit`);
    expect(audit.json.data).toEqual([expect.objectContaining({ action: "reject", reason: "Section II misreads Athanasius" })]);
    const history = await editor.get(`/portal/entries/${id}/history`);
    expect(history.text).toContain("Section II misreads Athanasius");
  });

  it("edits a paragraph as a new revision; a decision on the old revision is then stale (409, text kept)", async () => {
    const text = small();
    const id = await finishedEntry(target, editorKey.key, text);
    const page = await editor.get(`/portal/entries/${id}`);
    const token = csrfOf(page.text);
    const editHref = `/portal/entries/${id}/sections/1/paragraphs/0/edit?revision=1`;
    expect(page.text).toContain(`href="${editHref.replace(/&/g, "&amp;")}"`);
    const form = await editor.get(editHref);
    expect(form.status).toBe(200);
    expect(form.text).toContain('<form class="edit-form"');
    expect(form.text).toContain("St. Irenaeus");
    const newText = "St. Irenaeus of Lyons first stated the teaching clearly, against the Gnostics.";
    const saved = await editor.post(`/portal/entries/${id}/decisions`, { _csrf: token, action: "edit", revision: "1", section: "1", paragraph: "0", text: newText, reason: "tighter" });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`/portal/entries/${id}?done=edited#p-1-0`);
    const after = await editor.get(`/portal/entries/${id}`);
    expect(after.text).toContain(newText);
    expect(after.text).toContain("Revision <strong>2</strong> (edited by Editor Anna");
    // The paragraph's old text survives in revision 1 (read-only there), and the diff shows the change.
    const old = await editor.get(`/portal/entries/${id}?revision=1`);
    expect(old.text).toContain("the current one is <a href=");
    expect(old.text).not.toContain("Approve revision");
    expect(old.text).not.toContain(newText);
    const diff = await editor.get(`/portal/entries/${id}/diff?from=1&to=2`);
    expect(diff.status).toBe(200);
    expect(diff.text).toMatch(/<ins><span class="vh">\[added: <\/span>/);
    expect(diff.text).toContain("1 section changed");
    // A reviewer still on revision 1 is told someone acted first; nothing changes; their words come back.
    const stale = await editor.post(`/portal/entries/${id}/decisions`, { _csrf: token, action: "reject", revision: "1", reason: "too long" });
    expect(stale.status).toBe(409);
    expect(stale.text).toContain("it is now at revision 2");
    expect(stale.text).toContain("too long");
    expect((await editor.get(`/portal/entries/${id}/sections/1/paragraphs/0/edit?revision=1`)).status).toBe(409);
    expect((await editor.get(`/portal/entries/${id}/sections/1/paragraphs/99/edit`)).status).toBe(404);
  });

  it("sends ticked sections back with instructions; the status route answers 304 while nothing moves", async () => {
    const id = await finishedEntry(target, editorKey.key, small());
    const token = csrfOf((await editor.get(`/portal/entries/${id}`)).text);
    const route = `/portal/entries/${id}/decisions`;
    const noInstructions = await editor.post(route, { _csrf: token, action: "revise", revision: "1", section: ["1"], "instructions-1": "" });
    expect(noInstructions.status).toBe(422);
    expect(noInstructions.text).toContain("section II");
    const unticked = await editor.post(route, { _csrf: token, action: "revise", revision: "1", section: ["1"], "instructions-1": "Cite Irenaeus exactly", "instructions-2": "Shorter" });
    expect(unticked.status).toBe(422);
    expect(unticked.text).toContain("has instructions but is not ticked");
    expect(unticked.text).toContain("Cite Irenaeus exactly");
    const sent = await editor.post(route, { _csrf: token, action: "revise", revision: "1", section: ["1", "3"], "instructions-1": "Cite Irenaeus exactly", "instructions-3": "Add the Cappadocians" });
    expect(sent.status).toBe(303);
    expect(sent.location).toBe(`/portal/entries/${id}/progress?from=1`);
    const progress = await editor.get(sent.location!);
    expect(progress.status).toBe(200);
    expect(progress.text).toContain(`data-status-url="/portal/entries/${id}/status?from=1"`);
    expect(progress.text).toContain('<noscript><meta http-equiv="refresh" content="3"/></noscript>');
    const status = await editor.get(`/portal/entries/${id}/status?from=1`);
    expect(status.status).toBe(200);
    expect(JSON.parse(status.text)).toMatchObject({ status: "revising", next: null, sections: { done: 0, total: 2 } });
    const etag = status.headers.get("etag")!;
    expect(etag).toMatch(/^W\/"ent_/);
    expect((await editor.get(`/portal/entries/${id}/status?from=1`, { "if-none-match": etag })).status).toBe(304);
    // The entry page says a revision is under way and offers no decision.
    const entryPage = await editor.get(`/portal/entries/${id}`);
    expect(entryPage.text).toContain("Watch its progress");
    expect(entryPage.text).not.toContain("Approve revision");
    const audit = await target.db.select().from(auditLog).where(eq(auditLog.entryId, id)).all();
    expect(audit).toEqual([expect.objectContaining({ action: "revise", revision: 1 })]);
    const history = await editor.get(`/portal/entries/${id}/history`);
    expect(history.text).toContain("“Cite Irenaeus exactly”");
  });

  it("signs out: the cookie is cleared and the next page asks to sign in", async () => {
    const visitor = portalClient(target.url);
    await visitor.signIn(editorKey.key);
    const queue = await visitor.get("/portal/queue");
    const out = await visitor.post("/portal/sign-out", { _csrf: csrfOf(queue.text) });
    expect(out.status).toBe(303);
    expect(out.location).toBe("/portal/sign-in?signed-out");
    expect(out.headers.get("set-cookie")).toMatch(/Max-Age=0/);
    expect(visitor.cookie).toBe("");
    expect((await visitor.get("/portal/queue")).status).toBe(303);
  });
});

describe("review portal served over https", () => {
  it("marks the session cookie Secure with the __Host- prefix when the public URL is https", async () => {
    const secret = newSigningSecret();
    const target = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret, OPUS_PUBLIC_URL: "https://review.example" });
    try {
      const key = await createApiKey(target.db, "editor", ["review"]);
      // The browser posts from the public origin (the proxy in front forwards to this listener).
      const visitor = portalClient(target.url);
      const refused = await visitor.raw("POST", "/portal/sign-in", { form: { key: key.key }, headers: { origin: "https://attacker.example" } });
      expect(refused.status).toBe(403);
      const signed = await visitor.raw("POST", "/portal/sign-in", { form: { key: key.key }, headers: { origin: "https://review.example" } });
      expect(signed.status).toBe(303);
      const cookie = signed.headers.get("set-cookie")!;
      expect(cookie).toMatch(/^__Host-opus_session=/);
      expect(cookie).toMatch(/; Secure/);
      expect(cookie).toMatch(/Path=\//);
      expect(cookie).not.toMatch(/Domain=/);
      expect((await visitor.get("/portal/queue")).status).toBe(200);
      // A cookie under the plain name is not read on an https deployment.
      const plain = portalClient(target.url);
      plain.cookie = visitor.cookie.replace(/^__Host-/, "");
      expect((await plain.get("/portal/queue")).status).toBe(303);
    } finally {
      await target.close();
    }
  });
});
