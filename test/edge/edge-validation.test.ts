// The light validators at the edge: POST /v1/lint, and the check of every finished entry. The
// Worker under Miniflare and the Node entry must give the same results.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSigningSecret } from "../../shared/api/signing.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { client, newKey, sendNodeEvent, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { repoRoot } from "../support/paths.ts";

const golden = readFileSync(path.join(repoRoot, "corpus/golden/theosis.md"), "utf8");
const faulty = golden
  .replace("Scriptural Foundations", "Scriptural Foundations \u2014 and More")
  .replace(/2 Peter 1:4/, "2 Peter 9:4")
  .replace("## II.", "## IV.");

const finished = (markdown: string): NodeEvent => ({
  type: "finished",
  seq: 1,
  status: "succeeded",
  step: "finished",
  progress: 1,
  words: 100,
  sections: { done: 1, total: 1 },
  tokens: 10,
  eta_seconds: 0,
  entry: { title: "Theosis", markdown, sections: [], words: 100, metadata: { quality: { combined: 0.97, passed: true, reasons: [] } } },
});

describe("validators at the edge", () => {
  const targets: Record<string, { target: EdgeTarget; api: ReturnType<typeof client> }> = {};

  beforeAll(async () => {
    for (const name of ["node", "worker"] as const) {
      const target = await startEdgeTarget(name, { OPUS_NODE_SECRET: newSigningSecret() });
      targets[name] = { target, api: client(target, await newKey(target)) };
    }
  });
  afterAll(async () => {
    for (const t of Object.values(targets)) await t.target.close();
  });

  it("lints Markdown through POST /v1/lint with the same report in the Worker and in Node", async () => {
    const reports: Record<string, unknown[]> = {};
    for (const [name, { api }] of Object.entries(targets)) {
      const clean = await api("POST", "/v1/lint", { markdown: golden, tier: "B" });
      expect(clean.status).toBe(200);
      expect(clean.json.passed).toBe(true);
      expect(clean.json.issues).toEqual([]);
      const bad = await api("POST", "/v1/lint", { markdown: faulty });
      expect(bad.json.passed).toBe(false);
      const rules = bad.json.issues.map((i: { rule: string }) => i.rule);
      expect(rules).toEqual(expect.arrayContaining(["style/em-dash", "scripture/invalid-reference", "style/heading-structure"]));
      reports[name] = [clean.json, bad.json];
    }
    expect(reports.worker).toEqual(reports.node);
  });

  it("refuses bad lint requests with 422 naming the field", async () => {
    for (const { api } of Object.values(targets)) {
      const res = await api("POST", "/v1/lint", { markdown: "", tier: "Q" });
      expect(res.status).toBe(422);
      expect(res.json.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["markdown", "tier"]);
      expect((await client(targets.node!.target)("POST", "/v1/lint", { markdown: "x" })).status).toBe(401);
    }
  });

  it("checks every finished entry: the report joins the entry, and errors send it to review", async () => {
    for (const { target, api } of Object.values(targets)) {
      const good = await api("POST", "/v1/entries", { subject: "Theosis", tier: "B", category: "Theology" });
      await sendNodeEvent(target, good.json.id, finished(golden));
      const goodStatus = await api("GET", `/v1/entries/${good.json.id}`);
      expect(goodStatus.json.status).toBe("succeeded");
      const goodJson = await api("GET", `/v1/entries/${good.json.id}/content?format=json`);
      expect(goodJson.json.metadata.edge_validation).toMatchObject({ passed: true, issues: [] });
      expect(goodJson.json.metadata.quality_score).toBe(0.97);

      const bad = await api("POST", "/v1/entries", { subject: "Theosis", tier: "B", category: "Theology" });
      await sendNodeEvent(target, bad.json.id, finished(faulty));
      const badStatus = await api("GET", `/v1/entries/${bad.json.id}`);
      expect(badStatus.json.status).toBe("needs_review");
      const badJson = await api("GET", `/v1/entries/${bad.json.id}/content?format=json`);
      expect(badJson.json.metadata.edge_validation.passed).toBe(false);
      expect(badJson.json.metadata.edge_validation.demoted_reason).toMatch(/error or critical/);
      expect(badJson.json.metadata.quality_score).toBeLessThan(0.97);
    }
  });
});
