// Nothing a request carries may choose where our servers send requests: a submission with a forged
// `Host` header must not make the GPU node post the entry's signed events (finished text included)
// anywhere but the real edge. Real parts: the embedded edge (`startEdge`, as `opus serve edge`), a
// real GPU node on the test model in push mode (OPUS_GPU_NODE_URL), and a listener on the forged port.
import { createServer, request, type Server } from "node:http";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../edge/auth.ts";
import { startEdge, type RunningEdge } from "../../edge/node.ts";
import type { RunningGpuNode } from "../../gpu-node/main.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { entryHangGuardMs, smallTierB } from "../support/bounds.ts";
import { startTestNode } from "../support/gpu-node.ts";
import { freePort } from "../support/net.ts";

/** POST with a Host header of the caller's choosing (fetch does not let one set it). */
function postWithHost(url: string, host: string, key: string, body: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const req = request(url, { method: "POST", headers: { host, authorization: `Bearer ${key}`, "content-type": "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

describe("callback URLs", () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  it("a forged Host reaches nobody: the node's events go to the real edge only", async () => {
    const forged: { method?: string; url?: string }[] = [];
    const forgedPort = await freePort();
    const listener: Server = createServer((req, res) => {
      forged.push({ method: req.method, url: req.url });
      req.resume();
      res.writeHead(200, { "content-type": "application/json" }).end('{"applied":true,"canceled":false}');
    });
    await new Promise<void>((resolve) => listener.listen(forgedPort, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => (listener.closeAllConnections(), listener.close(() => resolve()))));

    const secret = newSigningSecret();
    const nodePort = await freePort();
    const dir = mkdtempSync(path.join(os.tmpdir(), "opus-callback-host-"));
    const edge: RunningEdge = await startEdge(
      { OPUS_DB_URL: `file:${path.join(dir, "edge.db")}`, OPUS_NODE_SECRET: secret, OPUS_GPU_NODE_URL: `http://127.0.0.1:${nodePort}`, OPUS_SCHEDULER_INTERVAL_MS: "500" },
      { port: 0 },
    );
    closers.push(edge.close);
    const node: RunningGpuNode = await startTestNode(secret, { ...smallTierB(), OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static" }, undefined, nodePort);
    closers.push(node.close);
    const { key } = await createApiKey(edge.db, "forger");

    const created = await postWithHost(`${edge.url}/v1/entries`, `127.0.0.1:${forgedPort}`, key, { subject: "Theosis", tier: "B", category: "Theology", seed: 3 });
    expect(created.status).toBe(202);
    expect(created.json.urls.get).toBe(`${edge.url}/v1/entries/${created.json.id}`);

    // The entry's progress reaches the real edge...
    const auth = { authorization: `Bearer ${key}` };
    const until = Date.now() + entryHangGuardMs;
    let status: any;
    for (;;) {
      status = await (await fetch(`${edge.url}/v1/entries/${created.json.id}`, { headers: auth })).json();
      if (status.status === "sections" && status.words > 0) break;
      if (Date.now() > until) throw new Error(`no progress reached the edge (last: ${JSON.stringify(status)})`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // ...and nothing went to the forged address.
    expect(forged).toEqual([]);
    await fetch(`${edge.url}/v1/entries/${created.json.id}/cancel`, { method: "POST", headers: auth });
    expect(forged).toEqual([]);
  }, entryHangGuardMs);
});
