// The operations dashboard in a real browser (Debian's Chromium through playwright-core) against the
// Node edge on real libSQL: an admin signs in through the portal's form, the page draws its charts
// with no CSP violation or script error, and a screenshot goes to test-artifacts/ops/.
import path from "node:path";
import { mkdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { newSigningSecret, postSigned } from "../../shared/api/signing.ts";
import { createApiKey } from "../../edge/auth.ts";
import { launchBrowser, type TestBrowser } from "../support/browser.ts";
import { client, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { repoRoot } from "../support/paths.ts";
import { goldenReviewEntry } from "../support/review-entries.ts";

const artifacts = path.join(repoRoot, "test-artifacts", "ops");

describe("operations dashboard in Chromium", () => {
  const secret = newSigningSecret();
  let edge: EdgeTarget;
  let browser: TestBrowser;
  let admin: { id: string; key: string };

  const signed = async (route: string, body: unknown) => {
    const res = await postSigned(`${edge.url}${route}`, secret, body);
    if (!res.ok) throw new Error(`${route} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as any;
  };

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    edge = await startEdgeTarget("node", { OPUS_NODE_SECRET: secret });
    admin = await createApiKey(edge.db, "Operator Olga", ["admin"]);
    await signed("/v1/node/heartbeat", {
      node_id: "gpu-box-1",
      capacity: 4,
      active: 1,
      queued: 2,
      entries: [],
      model: "stories260K",
      stats: { tokens_per_second: 1034.2, tokens_generated: 99_000, vram: { total_bytes: 24 * 1024 ** 3, used_bytes: 5 * 1024 ** 3 }, models: [{ id: "stories260K", state: "loaded", active: 1, queued: 0, loads: 1, evictions: 0 }] },
    });
    const api = client(edge, admin.key);
    const ids: string[] = [];
    for (const subject of ["Theosis", "Hesychasm", "Icons", "Kenosis", "Perichoresis"]) ids.push((await api("POST", "/v1/entries", { subject, tier: "A", category: "Theology" })).json.id);
    const lease = await signed("/v1/node/lease", { node_id: "gpu-box-1", max: 3 });
    expect(lease.entries.length).toBe(3);
    const text = goldenReviewEntry({ files: ["theosis.md"], flaws: true, maxSections: 3 });
    const base = { words: 0, sections: { done: 0, total: 3 }, tokens: 0, eta_seconds: null };
    const send = (id: string, e: NodeEvent) => signed(`/v1/node/entries/${id}/events?node=gpu-box-1`, e);
    await send(ids[0]!, { type: "progress", seq: 1, status: "blueprint", step: "blueprint", progress: 0.1, ...base });
    await new Promise((r) => setTimeout(r, 200));
    await send(ids[0]!, { type: "finished", seq: 2, status: "needs_review", step: "needs review", progress: 1, words: text.words, sections: { done: 3, total: 3 }, tokens: 1500, eta_seconds: 0, entry: { title: text.title, markdown: text.markdown, sections: text.sections, words: text.words, metadata: text.metadata } });
    await send(ids[1]!, { type: "progress", seq: 1, status: "sections", step: "section II", progress: 0.5, ...base, words: 900 });
    await send(ids[2]!, { type: "failed", seq: 1, status: "failed", step: "failed", progress: 0, ...base, error: { code: "model_error", message: "no usable text" } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await edge?.close();
  });

  it("signs an admin in and draws the dashboard without a CSP violation", async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(`${edge.url}/portal/ops`);
    expect(page.url()).toContain("/portal/sign-in?next=%2Fportal%2Fops");
    await page.getByLabel("API key with the review scope").fill(admin.key);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${edge.url}/portal/ops`);
    await expect.poll(() => page.getByRole("heading", { name: "Operations", level: 1 }).count()).toBe(1);
    // Every chart is a sized image in the layout (not collapsed, not overflowing its card).
    const charts = page.locator("svg.chart");
    expect(await charts.count()).toBeGreaterThanOrEqual(4);
    for (let i = 0; i < (await charts.count()); i++) {
      const box = (await charts.nth(i).boundingBox())!;
      expect(box.width).toBeGreaterThan(100);
      expect(box.height).toBeGreaterThan(20);
    }
    expect(await page.getByRole("img", { name: "Entries by status now" }).count()).toBe(1);
    const row = page.locator('tr[data-node="gpu-box-1"]');
    expect(await row.textContent()).toContain("healthy");
    expect(await row.textContent()).toContain("1034");
    expect(await row.textContent()).toContain("5.0 GiB of 24.0 GiB");
    // Figures in the summary: 2 waiting of the 5.
    expect(await page.locator(".figure", { hasText: "Queue depth" }).locator(".figure-value").textContent()).toBe("2");
    // No part of the page is wider than the window.
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await page.screenshot({ path: path.join(artifacts, "ops.png"), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  });
});
