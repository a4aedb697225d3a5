// POST /v1/embed and POST /v1/search on a real knowledge base, standalone and behind a middleware
// that has already read the body (as the node's signature check does).
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openNodeDb, type NodeDb } from "../../gpu-node/db/client.ts";
import { createKnowledgeBase, type KnowledgeBase } from "../../gpu-node/knowledge/knowledge-base.ts";
import { knowledgeRoutes } from "../../gpu-node/knowledge/routes.ts";

const root = mkdtempSync(path.join(os.tmpdir(), "opus-kb-routes-"));
let db: NodeDb;
let kb: KnowledgeBase;
let app: Hono;

beforeAll(async () => {
  db = await openNodeDb(":memory:");
  kb = await createKnowledgeBase({ db, dir: root });
  app = knowledgeRoutes(kb);
});

afterAll(async () => {
  await kb.close();
  db.$client.close();
  rmSync(root, { recursive: true, force: true });
});

const post = (target: Hono, url: string, body: unknown) =>
  target.request(url, { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });

describe("POST /v1/embed", () => {
  it("returns one unit vector per text with the embedder's id", async () => {
    const res = await post(app, "/v1/embed", { texts: ["The Holy Trinity", "The Theotokos"] });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { embedder: string; dimensions: number; vectors: number[][] };
    expect(body.embedder).toBe(kb.embedder.id);
    expect(body.dimensions).toBe(100);
    expect(body.vectors).toHaveLength(2);
    expect(Math.hypot(...body.vectors[0]!)).toBeCloseTo(1, 5);
  });

  it("names the bad field in a 422", async () => {
    const res = await post(app, "/v1/embed", { texts: [] });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; fields: { field: string; message: string }[] } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.fields[0]).toEqual({ field: "texts", message: "texts must hold at least one text" });
    expect((await post(app, "/v1/embed", { texts: [3] })).status).toBe(422);
    expect((await post(app, "/v1/embed", "{not json")).status).toBe(400);
  });
});

describe("POST /v1/search", () => {
  it("returns passages with document, section, offsets and score", async () => {
    const res = await post(app, "/v1/search", { query: "the veneration of icons", k: 3 });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { embedder: string; passages: { documentId: string; section: string; start: number; end: number; score: number; text: string }[] };
    expect(body.passages).toHaveLength(3);
    expect(body.passages[0]!.documentId).toBe("golden/holy-icons");
    expect(body.passages[0]!.end).toBeGreaterThan(body.passages[0]!.start);
    expect(body.passages[0]!.score).toBeGreaterThan(0);
  });

  it("applies exclusions, and defaults k", async () => {
    const res = await post(app, "/v1/search", { query: "the veneration of icons", exclude: ["golden/holy-icons"] });
    const body = (await res.json()) as { passages: { documentId: string }[] };
    expect(body.passages).toHaveLength(8);
    expect(body.passages.some((p) => p.documentId === "golden/holy-icons")).toBe(false);
  });

  it("refuses a client that expects another embedder (409) and bad input (422)", async () => {
    const res = await post(app, "/v1/search", { query: "icons", embedder: "Xenova/all-MiniLM-L6-v2|fp32|mean" });
    expect(res.status).toBe(409);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("embedder_mismatch");
    expect(body.error.message).toContain(kb.embedder.id);
    const bad = await post(app, "/v1/search", { query: "  ", k: 1000 });
    expect(bad.status).toBe(422);
    const fields = ((await bad.json()) as { error: { fields: { field: string }[] } }).error.fields.map((f) => f.field);
    expect(fields).toEqual(["query", "k"]);
  });

  it("works mounted behind a middleware that has read the body already", async () => {
    const outer = new Hono();
    let seen = "";
    outer.use("/v1/*", async (c, next) => {
      seen = await c.req.text();
      await next();
    });
    outer.route("/", knowledgeRoutes(kb));
    const res = await post(outer, "/v1/search", { query: "hesychasm, stillness and the Jesus Prayer", k: 1 });
    expect(res.status).toBe(200);
    expect(seen).toContain("Jesus Prayer");
    expect(((await res.json()) as { passages: { documentId: string }[] }).passages[0]!.documentId).toBe("golden/hesychasm");
  });
});
