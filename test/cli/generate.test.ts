// `opus generate` as the README tells users to run it, on the real test model.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.ts";
import { testModelPath } from "../support/models.ts";
import { entryHangGuardMs, smallTierB } from "../support/bounds.ts";

// A user's first run builds the offline embedding model; tests share one build (see gpu-node.ts).
const sharedEmbedder = { OPUS_EMBEDDER_CACHE: path.join(os.tmpdir(), "opus-test-embedder-cache") };
// Bounded by work, not by the clock: a small tier B (a busy machine makes the run slower, not failed).
const entryEnv = { OPUS_MODEL: testModelPath, ...sharedEmbedder, ...smallTierB() };

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), "opus-cli-"));

describe("opus generate", () => {
  it("writes an entry to a file and prints one final JSON line", async () => {
    const cwd = tempDir();
    // A first run in a new folder, as a user's: it calibrates threads (a few seconds) and keeps the result.
    const res = await runCli(["generate", "Theosis", "--tier", "B", "--seed", "5", "--json"], { cwd, env: entryEnv, timeoutMs: entryHangGuardMs });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    // The tiny test model writes children's stories: the quality gate sends them to review.
    expect(out).toMatchObject({ status: "needs_review", sections: 4 });
    expect(out.id).toMatch(/^ent_/);
    expect(out.words).toBeGreaterThan(100);
    expect(out.file).toBe(path.join(cwd, "entries", `theosis-${out.id}.md`));
    const markdown = readFileSync(out.file, "utf8");
    expect(markdown.startsWith("# Theosis\n")).toBe(true);
    expect(JSON.parse(readFileSync(out.file.replace(/\.md$/, ".json"), "utf8")).id).toBe(out.id);
    const calibrations = () => Object.values(JSON.parse(readFileSync(path.join(cwd, ".opus/cache/thread-calibration.json"), "utf8")) as { at: string; reason: string }[]);
    const [calibrated] = calibrations();
    expect(calibrated).toMatchObject({ reason: "first use" });
    // A second run reuses the embedded database, its key and the thread calibration.
    const again = await runCli(["generate", "Hesychasm", "--tier", "B", "--json"], { cwd, env: entryEnv, timeoutMs: entryHangGuardMs });
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).status).toBe("needs_review");
    // Not measured again (only a collapse of speed in service could have re-measured it, and says so).
    const [kept] = calibrations();
    expect(calibrations()).toHaveLength(1);
    if (kept!.at !== calibrated!.at) expect(kept!.reason).toMatch(/^slow in service/);
  }, entryHangGuardMs);

  // `opus generate` itself falls back to the built-in model (models.test.ts); a GPU node never does.
  it("says how to set OPUS_MODEL when a GPU node has no model", async () => {
    const res = await runCli(["serve", "gpu-node", "--port", "0"], { cwd: tempDir(), env: { OPUS_MODEL: undefined } });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("OPUS_MODEL");
    expect(res.stderr).toContain("hf:");
    expect(res.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it("names a missing model file", async () => {
    const res = await runCli(["generate", "Theosis"], { cwd: tempDir(), env: { OPUS_MODEL: "/nowhere/model.gguf" } });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("/nowhere/model.gguf");
  });

  it("exits 2 with a usage message on bad arguments", async () => {
    const tier = await runCli(["generate", "Theosis", "--tier", "Q"], { cwd: tempDir() });
    expect(tier.code).toBe(2);
    expect(tier.stderr).toContain("--tier");
    const seed = await runCli(["generate", "Theosis", "--seed", "abc"], { cwd: tempDir() });
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain("--seed");
    const none = await runCli(["generate"], { cwd: tempDir() });
    expect(none.code).toBe(2);
  });
});

describe("opus keys create", () => {
  it("creates a key that the edge accepts, stored only as a hash", async () => {
    const cwd = tempDir();
    const res = await runCli(["keys", "create", "--name", "editor", "--json"], { cwd });
    expect(res.code).toBe(0);
    const { key, id } = JSON.parse(res.stdout);
    expect(key).toMatch(/^opus_sk_/);
    expect(id).toMatch(/^key_/);
    const db = readFileSync(path.join(cwd, ".opus/edge.db"));
    expect(db.includes(Buffer.from(key))).toBe(false);
    const bad = await runCli(["keys", "create", "--name", "x", "--scopes", "submit,fly"], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("fly");
    expect(existsSync(path.join(cwd, ".opus/edge.db"))).toBe(true);
  });
});
