// The node's link to its edge, as the node configuration reads it (key `edge`, OPUS_EDGE_URL and
// friends): off without a URL, pull by default, push with a public URL, static on request, stable
// default ids, and errors that name the variable.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadNodeConfig } from "../../gpu-node/config/index.ts";
import { defaultNodeId, resolveEdgeLink } from "../../gpu-node/edge-link/config.ts";

const model = { OPUS_MODEL: "/models/m.gguf" };
const link = (env: Record<string, string>) => {
  const config = loadNodeConfig({ env: { ...model, OPUS_NODE_DB: "/data/node.db", ...env }, cwd: "/" });
  return resolveEdgeLink(config.edge, config.paths.database);
};

describe("edge link configuration", () => {
  it("is off without OPUS_EDGE_URL", () => {
    expect(link({})).toBeUndefined();
  });

  it("pulls by default, pushes with a public URL, and answers only in static mode", () => {
    const pull = link({ OPUS_EDGE_URL: "https://edge.example.org/" })!;
    expect(pull).toMatchObject({ edgeUrl: "https://edge.example.org", mode: "pull", publicUrl: undefined, leasePollMs: 2000 });
    expect(pull.nodeId).toBe(defaultNodeId(path.resolve("/data/node.db")));
    expect(pull.nodeId).toMatch(/^node-[0-9a-f]{12}$/);
    expect(defaultNodeId("/data/other.db")).not.toBe(pull.nodeId);
    const push = link({ OPUS_EDGE_URL: "https://edge.example.org", OPUS_NODE_PUBLIC_URL: "https://gpu.example.org/", OPUS_NODE_ID: "box-1" })!;
    expect(push).toMatchObject({ mode: "push", publicUrl: "https://gpu.example.org", nodeId: "box-1" });
    expect(link({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_MODE: "push" })).toMatchObject({ mode: "push", publicUrl: undefined });
    expect(link({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_MODE: "static" })).toMatchObject({ mode: "static" });
    // A numeric id is an id, not a number.
    expect(link({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_ID: "42" })).toMatchObject({ nodeId: "42" });
  });

  it("names the variable that is wrong", () => {
    expect(() => link({ OPUS_EDGE_URL: "not a url" })).toThrow(/OPUS_EDGE_URL/);
    expect(() => link({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_ID: "has space" })).toThrow(/OPUS_NODE_ID/);
    expect(() => link({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_ID: "static" })).toThrow(/reserved/);
    expect(() => link({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_MODE: "both" })).toThrow(/OPUS_NODE_MODE/);
    expect(() => link({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_CAPACITY: "0" })).toThrow(/OPUS_NODE_CAPACITY/);
  });
});

describe("callback check", () => {
  const edge = "https://opus.example.org/api";
  it("accepts only the configured edge's event route for the entry", async () => {
    const { checkCallback, callbackOnEdge, CallbackRefused, NoEdgeConfigured } = await import("../../gpu-node/edge-link/callbacks.ts");
    expect(() => checkCallback(`${edge}/v1/node/entries/ent_1/events?node=n1`, "ent_1", edge)).not.toThrow();
    for (const forged of [
      "https://evil.example.org/api/v1/node/entries/ent_1/events",
      "http://opus.example.org/api/v1/node/entries/ent_1/events",
      "https://opus.example.org:8443/api/v1/node/entries/ent_1/events",
      "https://opus.example.org/v1/node/entries/ent_1/events",
      `${edge}/v1/node/entries/ent_2/events`,
      "https://user:pw@opus.example.org/api/v1/node/entries/ent_1/events",
      "not a url",
    ]) {
      expect(() => checkCallback(forged, "ent_1", edge), forged).toThrow(CallbackRefused);
    }
    expect(() => checkCallback(`${edge}/v1/node/entries/ent_1/events`, "ent_1", undefined)).toThrow(NoEdgeConfigured);
    // Resumed work reports to the edge configured now, keeping the assignee the edge named.
    expect(callbackOnEdge("http://127.0.0.1:40123/v1/node/entries/ent_1/events?node=static", "ent_1", edge)).toBe(`${edge}/v1/node/entries/ent_1/events?node=static`);
  });
});
