// The review portal in a real browser (Debian's Chromium, headless, through playwright-core) against
// the Node edge and a real GPU node on the small test model, leasing work in pull mode. An editor
// signs in, sees the queue, opens an entry and finds its issues marked, jumps between them with the
// keyboard, edits a paragraph in place, sends one section back and watches it come back as a diff
// written by the model, and approves. A second browser with JavaScript off takes decisions through
// the plain forms. Screenshots of the queue and the entry page go to test-artifacts/portal/.
import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { lintMarkdown } from "../../shared/validation/index.ts";
import type { RunningGpuNode } from "../../gpu-node/main.ts";
import { createApiKey } from "../../edge/auth.ts";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import { client, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { startTestNode } from "../support/gpu-node.ts";
import { repoRoot } from "../support/paths.ts";
import { finishedEntry } from "../support/portal.ts";
import { goldenReviewEntry } from "../support/review-entries.ts";

const artifacts = path.join(repoRoot, "test-artifacts", "portal");

describe("review portal in Chromium", () => {
  const secret = newSigningSecret();
  let edge: EdgeTarget;
  let node: RunningGpuNode | undefined;
  let browser: TestBrowser;
  let key: { id: string; key: string };
  let entryId: string;
  let otherId: string;
  let thirdId: string;
  let issueCount: number;

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret });
    key = await createApiKey(edge.db, "Editor Anna", ["submit", "read", "review"]);
    const text = goldenReviewEntry({ title: "Theosis", files: ["theosis.md"], flaws: true, maxSections: 3 });
    issueCount = (await lintMarkdown(text.markdown, { tier: "A", place: "edge" })).issues.length;
    entryId = await finishedEntry(edge, key.key, text, { subject: "Theosis", tier: "A" });
    otherId = await finishedEntry(edge, key.key, goldenReviewEntry({ title: "Hesychasm", files: ["hesychasm.md"], maxSections: 3 }), { subject: "Hesychasm", tier: "B" });
    thirdId = await finishedEntry(edge, key.key, goldenReviewEntry({ title: "The Holy Icons", files: ["holy-icons.md"], flaws: true, maxSections: 3 }), { subject: "The Holy Icons", tier: "A" });
    // The node comes up once the entries are finished, so the only work it finds is the revision.
    node = await startTestNode(secret, { OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "pull", OPUS_LEASE_POLL_MS: "200" });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await node?.close();
    await edge?.close();
  });

  async function signIn(page: Page) {
    await page.goto(`${edge.url}/portal/queue`);
    expect(page.url()).toContain("/portal/sign-in");
    await page.getByLabel("API key with the review scope").fill(key.key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${edge.url}/portal/queue`);
  }

  it("signs in, lists the queue, and marks every issue of an entry in place", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await signIn(page);
    await expect.poll(() => page.locator("tbody tr").count()).toBe(3);
    await page.screenshot({ path: path.join(artifacts, "queue.png"), fullPage: true });
    await page.getByRole("link", { name: "Theosis" }).click();
    await page.waitForURL(`${edge.url}/portal/entries/${entryId}`);
    expect(await page.locator("a.issue-ref").count()).toBe(issueCount);
    // Each marker says its severity in text, and the notes say rule and dimension.
    const firstRef = page.locator("a.issue-ref").first();
    expect(await firstRef.getAttribute("aria-label")).toMatch(/^Issue 1, (info|warning|error|critical)$/);
    await expect.poll(() => page.locator("mark.issue.sev-critical").count()).toBeGreaterThan(0);
    expect(await page.locator("li[id^=note-] .dim").first().textContent()).toMatch(/^counts against (style|structure|citations|doctrine|uniqueness)/);
    expect(await page.getByRole("heading", { name: "Blueprint" }).count()).toBe(3);
    await page.screenshot({ path: path.join(artifacts, "entry.png") });
    expect(errors).toEqual([]);
    await page.close();
  });

  it("jumps between issues with j and k, announces each, and lists the shortcuts on ?", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${edge.url}/portal/entries/${entryId}`);
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("j");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("issue-1");
    await page.keyboard.press("j");
    await page.keyboard.press("j");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("issue-3");
    await expect.poll(() => page.locator("#live").textContent()).toMatch(new RegExp(`^Issue 3 of ${issueCount}: (info|warning|error|critical), `));
    expect(await page.locator("#note-3.current").count()).toBe(1);
    await page.keyboard.press("k");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("issue-2");
    await page.screenshot({ path: path.join(artifacts, "entry-issue.png") });
    // Keys typed into a form are text, not shortcuts.
    await page.locator("#reject-reason").fill("j");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("reject-reason");
    await page.locator("body").click({ position: { x: 5, y: 300 } });
    await page.keyboard.press("?");
    await expect.poll(() => page.locator("#shortcuts").isVisible()).toBe(true);
    expect(await page.locator("#shortcuts").textContent()).toContain("Next issue");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.locator("#shortcuts").isVisible()).toBe(false);
    await page.close();
  });

  it("edits a paragraph in place as a new revision", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${edge.url}/portal/entries/${entryId}`);
    await page.locator("#p-1-1 a.edit-link").click();
    const area = page.locator("form.edit-form textarea");
    await expect.poll(() => area.count()).toBe(1);
    expect(await area.inputValue()).toContain("Athanasius");
    // Still the entry page: the form came in place of the paragraph.
    expect(page.url()).toBe(`${edge.url}/portal/entries/${entryId}`);
    await area.fill("St. Athanasius built his defence of the Nicene faith on the same foundation, edited by hand in the portal.");
    await page.getByRole("button", { name: "Save as revision 2" }).click();
    await page.waitForURL(`${edge.url}/portal/entries/${entryId}?done=edited#p-1-1`);
    expect(await page.locator("#p-1-1").textContent()).toContain("edited by hand in the portal");
    expect(await page.locator(".notice.ok").textContent()).toContain("Saved as a new revision");
    expect(await page.locator(".facts").textContent()).toContain("Revision 2 (edited by Editor Anna");
    await page.close();
  });

  it("sends one section back, watches the model rewrite it, sees the diff, and approves", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${edge.url}/portal/entries/${entryId}`);
    const before = await client(edge, key.key)("GET", `/v1/entries/${entryId}/revisions/2?format=json`);
    await page.getByLabel("Send section III back").check();
    await page.getByLabel("Instructions for section III").fill("Say more about the likeness as a calling.");
    await page.getByRole("button", { name: "Send ticked sections back" }).click();
    await page.waitForURL(new RegExp(`/portal/entries/${entryId}/progress\\?from=2$`));
    expect(await page.getByRole("heading", { name: "Writing revision 3" }).count()).toBe(1);
    // The script follows the status route and moves on to the diff when the revision is back.
    await page.waitForURL(new RegExp(`/portal/entries/${entryId}/diff\\?from=2&to=3&done=revised$`), { timeout: 240_000 });
    expect(await page.locator(".notice.ok").textContent()).toContain("came back as revision 3");
    const changed = page.locator("section.diff-section", { hasText: "(changed)" });
    expect(await changed.count()).toBe(1);
    expect(await changed.locator("h2").textContent()).toMatch(/^III\. /);
    expect(await changed.locator("ins").count()).toBeGreaterThan(0);
    expect(await page.locator("p.unchanged").count()).toBe(2);
    await page.screenshot({ path: path.join(artifacts, "diff.png") });
    // The untouched sections kept every byte.
    const after = await client(edge, key.key)("GET", `/v1/entries/${entryId}/revisions/3?format=json`);
    expect(after.json.sections[0]).toEqual(before.json.sections[0]);
    expect(after.json.sections[1]).toEqual(before.json.sections[1]);
    expect(after.json.sections[2]).not.toEqual(before.json.sections[2]);

    await page.getByRole("link", { name: "Review revision 3" }).click();
    await page.getByRole("button", { name: "Approve revision 3" }).click();
    await page.waitForURL(`${edge.url}/portal/entries/${entryId}?done=approved`);
    expect(await page.locator(".notice.ok").textContent()).toContain("Approved");
    expect(await page.locator(".facts").textContent()).toContain("Status approved");
    await page.goto(`${edge.url}/portal/entries/${entryId}/history`);
    const audit = await page.locator("tbody").last().textContent();
    for (const action of ["edit", "revise", "revised", "approve"]) expect(audit).toContain(action);
    await page.close();
  });

  it("takes every decision through plain forms with JavaScript off", async () => {
    const noScript = await launchBrowser({ javaScript: false });
    try {
      const page = await noScript.context.newPage();
      await signIn(page);
      // Reject one entry with a reason.
      await page.goto(`${edge.url}/portal/entries/${otherId}`);
      await page.getByLabel("Reason for rejecting").fill("Too short for its tier.");
      await page.getByRole("button", { name: "Reject" }).click();
      await page.waitForURL(`${edge.url}/portal/entries/${otherId}?done=rejected`);
      expect(await page.locator(".facts").textContent()).toContain("Status rejected");
      // Edit a paragraph on its own page, then approve the new revision.
      await page.goto(`${edge.url}/portal/entries/${thirdId}`);
      await page.locator("#p-0-0 a.edit-link").click();
      await page.waitForURL(/\/sections\/0\/paragraphs\/0\/edit\?revision=1$/);
      await page.getByLabel(/^Paragraph 1 of /).fill("The icon is theology in colour, written without JavaScript.");
      await page.getByRole("button", { name: "Save as revision 2" }).click();
      await page.waitForURL(`${edge.url}/portal/entries/${thirdId}?done=edited#p-0-0`);
      await page.getByRole("button", { name: "Approve revision 2" }).click();
      await page.waitForURL(`${edge.url}/portal/entries/${thirdId}?done=approved`);
      expect(await page.locator(".facts").textContent()).toContain("Status approved");
      // And out.
      await page.getByRole("button", { name: "Sign out" }).click();
      await page.waitForURL(`${edge.url}/portal/sign-in?signed-out`);
    } finally {
      await noScript.close();
    }
  });
});
