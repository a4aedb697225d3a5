// A GPU node releases what it opened, whatever fails: closing goes on past a part that cannot close
// (here tracing, whose collector is gone with spans still to send), and a start that fails releases
// what the start had opened. Real parts throughout: the node on the test model, a real port.
import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { edgeRoutes } from "../../shared/api/node-protocol.ts";
import { newSigningSecret, postSigned } from "../../shared/api/signing.ts";
import { startEdgeStandIn, type EdgeStandIn } from "../support/edge-stand-in.ts";
import { startTestNode } from "../support/gpu-node.ts";
import { freePort } from "../support/net.ts";

/** True when nothing listens on `port` any more (it can be bound again). */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

describe("GPU node start and stop", () => {
  const secret = newSigningSecret();
  let edge: EdgeStandIn | undefined;
  afterAll(async () => {
    await edge?.close();
  });

  it("closes everything when one part fails to close", async () => {
    edge = await startEdgeStandIn(secret);
    const port = await freePort();
    const collector = `http://127.0.0.1:${await freePort()}/v1/traces`; // nobody listens there
    const node = await startTestNode(secret, { OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static", OPUS_TRACES_ENDPOINT: collector, OPUS_KNOWLEDGE: "false" }, undefined, port);
    // One entry, canceled at once: its trace waits in the exporter's buffer.
    const id = "ent_traced";
    await postSigned(`${node.url}/v1/entries`, secret, { id, subject: "Theosis", tier: "B", category: "Theology", callback_url: `${edge.url}${edgeRoutes.events(id)}` });
    await postSigned(`${node.url}/v1/entries/${id}/cancel`, secret, {});
    await node.runner.settled(id);

    const closed = await node.close().then(
      () => null,
      (error: Error) => error,
    );
    // Tracing could not send its spans: close says so...
    expect(closed?.message).toMatch(/tracing/);
    // ...and released every other part all the same.
    expect(await portIsFree(port)).toBe(true);
    await expect(node.checkpoints.find(id)).rejects.toThrow();
    await expect(node.engine.complete({ prompt: "Once", maxTokens: 1 })).rejects.toThrow(/shutting down/);
  }, 300_000);

  it("releases what a failed start opened, and fails with the start's own error", async () => {
    edge ??= await startEdgeStandIn(secret);
    // The port is taken: the node's database, engine, knowledge base and tracing are open when listening fails.
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as net.AddressInfo).port)));
    try {
      await expect(startTestNode(secret, { OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static", OPUS_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces" }, undefined, port)).rejects.toThrow(/EADDRINUSE/);
    } finally {
      blocker.close();
    }
    // Nothing of the failed start holds on: the same port serves a node now.
    const node = await startTestNode(secret, { OPUS_EDGE_URL: edge.url, OPUS_NODE_MODE: "static", OPUS_KNOWLEDGE: "false" }, undefined, port);
    expect(node.port).toBe(port);
    await node.close();
    expect(await portIsFree(port)).toBe(true);
  }, 300_000);
});
