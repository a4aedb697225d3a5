// The GPU node's link settings (gpu-node/dispatch/settings.ts): off without OPUS_EDGE_URL, pull by
// default, push with a public URL, stable default ids, and errors that name the variable.
import { describe, expect, it } from "vitest";
import { defaultNodeId, readEdgeLinkSettings } from "../../gpu-node/dispatch/settings.ts";

describe("edge link settings", () => {
  it("is off without OPUS_EDGE_URL", () => {
    expect(readEdgeLinkSettings({}, "/data/node.db")).toBeUndefined();
  });

  it("pulls by default and pushes when the node has a public URL", () => {
    const pull = readEdgeLinkSettings({ OPUS_EDGE_URL: "https://edge.example.org/" }, "/data/node.db")!;
    expect(pull).toMatchObject({ edgeUrl: "https://edge.example.org", mode: "pull", publicUrl: undefined, capacity: 2, leasePollMs: 2000 });
    expect(pull.nodeId).toBe(defaultNodeId("/data/node.db"));
    expect(pull.nodeId).toMatch(/^node-[0-9a-f]{12}$/);
    expect(defaultNodeId("/data/other.db")).not.toBe(pull.nodeId);
    const push = readEdgeLinkSettings({ OPUS_EDGE_URL: "https://edge.example.org", OPUS_NODE_PUBLIC_URL: "https://gpu.example.org/", OPUS_NODE_ID: "box-1", OPUS_NODE_CAPACITY: "3" }, "x")!;
    expect(push).toMatchObject({ mode: "push", publicUrl: "https://gpu.example.org", nodeId: "box-1", capacity: 3 });
    expect(readEdgeLinkSettings({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_MODE: "push" }, "x")).toMatchObject({ mode: "push", publicUrl: undefined });
  });

  it("names the variable that is wrong", () => {
    expect(() => readEdgeLinkSettings({ OPUS_EDGE_URL: "not a url" }, "x")).toThrow(/OPUS_EDGE_URL/);
    expect(() => readEdgeLinkSettings({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_ID: "has space" }, "x")).toThrow(/OPUS_NODE_ID/);
    expect(() => readEdgeLinkSettings({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_ID: "static" }, "x")).toThrow(/reserved/);
    expect(() => readEdgeLinkSettings({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_MODE: "both" }, "x")).toThrow(/OPUS_NODE_MODE/);
    expect(() => readEdgeLinkSettings({ OPUS_EDGE_URL: "https://e.example.org", OPUS_NODE_CAPACITY: "0" }, "x")).toThrow(/OPUS_NODE_CAPACITY/);
  });
});
