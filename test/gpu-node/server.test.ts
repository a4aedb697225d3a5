// The GPU node's signed API, with the real test model loaded.
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newSigningSecret, postSigned } from "../../shared/api/signing.ts";
import type { RunningGpuNode } from "../../gpu-node/main.ts";
import { startTestNode } from "../support/gpu-node.ts";

describe("GPU node API", () => {
  const secret = newSigningSecret();
  let node: RunningGpuNode;
  // A plain HTTP receiver standing in for the edge's event endpoint: it records what arrives.
  let receiver: Server;
  const received: { type: string; seq: number }[] = [];
  let callbackBase = "";

  beforeAll(async () => {
    node = await startTestNode(secret);
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        received.push(JSON.parse(body));
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ applied: true, canceled: false }));
      });
    });
    await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
    const address = receiver.address();
    callbackBase = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await node?.close();
    receiver?.close();
  });

  const job = { id: "ent_test", subject: "Theosis", tier: "B", category: "Theology", callback_url: "http://127.0.0.1:9/v1/node/jobs/ent_test/events" };

  it("refuses unsigned and wrongly signed requests with 401", async () => {
    const unsigned = await fetch(`${node.url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(job) });
    expect(unsigned.status).toBe(401);
    expect((await unsigned.json()).error.code).toBe("bad_signature");
    const wrong = await postSigned(`${node.url}/v1/jobs`, newSigningSecret(), job);
    expect(wrong.status).toBe(401);
    const cancel = await postSigned(`${node.url}/v1/jobs/ent_test/cancel`, newSigningSecret(), {});
    expect(cancel.status).toBe(401);
    expect(node.runner.active).toBe(0);
  });

  it("refuses a signed request whose body is tampered with", async () => {
    const body = JSON.stringify(job);
    const signed = await postSigned(`${node.url}/v1/jobs/x/cancel`, secret, {});
    expect(signed.status).toBe(200);
    const { signHeaders } = await import("../../shared/api/signing.ts");
    const headers = signHeaders(secret, body);
    const tampered = await fetch(`${node.url}/v1/jobs`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: body.replace("Theosis", "Heresy") });
    expect(tampered.status).toBe(401);
  });

  it("validates job bodies with 422 naming the fields", async () => {
    const res = await postSigned(`${node.url}/v1/jobs`, secret, { ...job, tier: "Z", callback_url: "not a url" });
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["callback_url", "tier"]);
  });

  it("answers unknown routes with 404 and reports health", async () => {
    expect((await postSigned(`${node.url}/v1/nope`, secret, {})).status).toBe(404);
    const health = await fetch(`${node.url}/health`);
    expect(health.status).toBe(200);
  });

  it("cancels a running job at once and reports nothing as finished", async () => {
    const cancelJob = { ...job, id: "ent_cancel_me", tier: "S", callback_url: `${callbackBase}/events` };
    const res = await postSigned(`${node.url}/v1/jobs`, secret, cancelJob);
    expect(res.status).toBe(202);
    expect((await res.json()).outcome).toBe("started");
    const again = await postSigned(`${node.url}/v1/jobs`, secret, cancelJob);
    expect((await again.json()).outcome).toBe("already running");
    const canceled = await postSigned(`${node.url}/v1/jobs/ent_cancel_me/cancel`, secret, {});
    expect(await canceled.json()).toEqual({ id: "ent_cancel_me", canceled: true });
    await node.runner.settled("ent_cancel_me");
    expect(node.runner.active).toBe(0);
    const types = received.map((e) => e.type);
    expect(types.at(-1)).toBe("canceled");
    expect(types).not.toContain("finished");
    expect(received.map((e) => e.seq)).toEqual(received.map((_, i) => i + 1));
  });
});
