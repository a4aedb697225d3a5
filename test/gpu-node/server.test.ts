// The GPU node's signed API, with the real test model loaded. A plain HTTP receiver stands in for
// the edge's event route: it is the node's configured edge (OPUS_EDGE_URL), and records what arrives.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgeRoutes } from "../../shared/api/node-protocol.ts";
import { newSigningSecret, postSigned } from "../../shared/api/signing.ts";
import type { RunningGpuNode } from "../../gpu-node/main.ts";
import { startTestNode } from "../support/gpu-node.ts";

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` });
    }),
  );
}

describe("GPU node API", () => {
  const secret = newSigningSecret();
  let node: RunningGpuNode;
  let edge: { server: Server; url: string };
  /** Another address, standing in for one an attacker steered the callback to. */
  let elsewhere: { server: Server; url: string };
  const received: { path: string; type: string; seq: number }[] = [];
  const strayed: string[] = [];

  beforeAll(async () => {
    edge = await listen((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push({ path: req.url ?? "", ...JSON.parse(body) });
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ applied: true, canceled: false }));
      });
    });
    elsewhere = await listen((req, res) => {
      strayed.push(req.url ?? "");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ applied: true, canceled: false }));
    });
    node = await startTestNode(secret, { OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static" });
  });
  afterAll(async () => {
    await node?.close();
    edge?.server.close();
    elsewhere?.server.close();
  });

  const assignment = (id: string, base = edge.url) => ({ id, subject: "Theosis", tier: "B", category: "Theology", callback_url: `${base}${edgeRoutes.events(id)}?node=static` });

  it("refuses unsigned and wrongly signed requests with 401", async () => {
    const job = assignment("ent_test");
    const unsigned = await fetch(`${node.url}/v1/entries`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(job) });
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json()).error.code).toBe("bad_signature");
    const wrong = await postSigned(`${node.url}/v1/entries`, newSigningSecret(), job);
    expect(wrong.status).toBe(401);
    const cancel = await postSigned(`${node.url}/v1/entries/ent_test/cancel`, newSigningSecret(), {});
    expect(cancel.status).toBe(401);
    expect(node.runner.active).toBe(0);
  });

  it("refuses a signed request whose body is tampered with", async () => {
    const body = JSON.stringify(assignment("ent_test"));
    const signed = await postSigned(`${node.url}/v1/entries/x/cancel`, secret, {});
    expect(signed.status).toBe(200);
    const { signHeaders } = await import("../../shared/api/signing.ts");
    const headers = signHeaders(secret, body);
    const tampered = await fetch(`${node.url}/v1/entries`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: body.replace("Theosis", "Heresy") });
    expect(tampered.status).toBe(401);
  });

  it("validates assignments with 422 naming the fields", async () => {
    const res = await postSigned(`${node.url}/v1/entries`, secret, { ...assignment("ent_test"), tier: "Z", callback_url: "not a url" });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["callback_url", "tier"]);
  });

  it("refuses an entry whose callback is not its edge: its events reach nobody else", async () => {
    const forged = assignment("ent_forged", elsewhere.url);
    const res = await postSigned(`${node.url}/v1/entries`, secret, forged);
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.fields).toEqual([{ field: "callback_url", message: expect.stringContaining(edge.url) }]);
    // The edge's own address, but another route (or another entry's): refused too.
    const otherPath = await postSigned(`${node.url}/v1/entries`, secret, { ...assignment("ent_forged"), callback_url: `${edge.url}/v1/node/entries/ent_other/events` });
    expect(otherPath.status).toBe(422);
    expect(node.runner.active).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(strayed).toEqual([]);
    expect(received.filter((e) => e.path.includes("ent_forged"))).toEqual([]);
  });

  it("answers unknown routes with 404 and reports health", async () => {
    const unknown = await postSigned(`${node.url}/v1/nope`, secret, {});
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("not_found");
    const health = await fetch(`${node.url}/health`);
    expect(health.status).toBe(200);
  });

  it("cancels a running entry at once and reports nothing as finished", async () => {
    const cancelMe = { ...assignment("ent_cancel_me"), tier: "S" };
    const res = await postSigned(`${node.url}/v1/entries`, secret, cancelMe);
    expect(res.status).toBe(202);
    // The answer carries what the node really runs: its engine's sequences (OPUS_SEQUENCES=4).
    expect(await res.json()).toEqual({ id: "ent_cancel_me", outcome: "started", capacity: 4, active: 1 });
    const again = await postSigned(`${node.url}/v1/entries`, secret, cancelMe);
    expect((await again.json()).outcome).toBe("already running");
    const canceled = await postSigned(`${node.url}/v1/entries/ent_cancel_me/cancel`, secret, {});
    expect(await canceled.json()).toEqual({ id: "ent_cancel_me", canceled: true });
    await node.runner.settled("ent_cancel_me");
    expect(node.runner.active).toBe(0);
    const events = received.filter((e) => e.path.startsWith(edgeRoutes.events("ent_cancel_me")));
    const types = events.map((e) => e.type);
    expect(types.at(-1)).toBe("canceled");
    expect(types).not.toContain("finished");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    // Events go to the edge's event route, with the assignee the edge named.
    expect(events.every((e) => e.path === `${edgeRoutes.events("ent_cancel_me")}?node=static`)).toBe(true);
  });
});
