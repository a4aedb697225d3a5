// `opus models list|pull` and the built-in default of `opus generate`, run as a user runs them.
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.ts";
import { freePort } from "../support/net.ts";
import { repoRoot } from "../support/paths.ts";

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), "opus-models-"));
// Nothing configured: no model, no config file, no endpoint override from the caller's shell.
const bare = { OPUS_MODEL: undefined, OPUS_CONFIG: undefined, OPUS_MODELS_DIR: undefined, MODEL_ENDPOINT: undefined, HF_ENDPOINT: undefined };
const builtInFile = path.join(repoRoot, "models/opus-mini.gguf");
const builtInPresent = existsSync(builtInFile);

describe("opus models list", () => {
  it("shows the built-in model and presets for 8, 16 and 24 GB with size, licence and hf: URI", async () => {
    const cwd = tempDir();
    const res = await runCli(["models", "list"], { cwd, env: bare });
    expect(res.stderr).toBe("");
    expect(res.code).toBe(0);
    const rows = res.stdout.split("\n");
    const row = (name: string) => rows.find((line) => line.startsWith(`${name} `)) ?? "";
    expect(row("opus-mini")).toMatch(/any \(CPU\).*built in.*models\/opus-mini\.gguf$/);
    expect(row("qwen2.5-7b")).toMatch(/8 GB +4\.68 GB +Apache-2\.0 .*hf:bartowski\/Qwen2\.5-7B-Instruct-GGUF\/Qwen2\.5-7B-Instruct-Q4_K_M\.gguf$/);
    expect(row("llama3.1-8b")).toContain("Llama 3.1 Community License");
    expect(row("phi-4")).toMatch(/16 GB +9\.05 GB +MIT /);
    expect(row("qwen2.5-32b")).toMatch(/24 GB +19\.9 GB +Apache-2\.0 /);
    expect(res.stdout).toContain(`models folder: ${path.join(cwd, ".opus/models")}`);
    expect(res.stdout).toContain("npx opus models pull <name>");
  });

  it("--json prints one object with every preset and the models folder (OPUS_MODELS_DIR)", async () => {
    const cwd = tempDir();
    const modelsDir = path.join(cwd, "weights");
    const res = await runCli(["models", "list", "--json"], { cwd, env: { ...bare, OPUS_MODELS_DIR: modelsDir } });
    expect(res.code).toBe(0);
    const lines = res.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as { modelsDir: string; presets: { name: string; vramGB: number | null; sizeGB: number | null; licence: string; source: string; builtIn: boolean; file: string | null }[] };
    expect(out.modelsDir).toBe(modelsDir);
    const builtIn = out.presets.filter((p) => p.builtIn);
    expect(builtIn).toEqual([expect.objectContaining({ name: "opus-mini", source: "models/opus-mini.gguf", vramGB: null, file: builtInPresent ? builtInFile : null })]);
    const remote = out.presets.filter((p) => !p.builtIn);
    expect(new Set(remote.map((p) => p.vramGB))).toEqual(new Set([8, 16, 24]));
    for (const p of remote) {
      expect(p.source).toMatch(/^hf:[\w.-]+\/[\w.-]+-GGUF\/[\w.-]+-Q4_K_M\.gguf$/);
      expect(p.sizeGB).toBeGreaterThan(1);
      expect(p.sizeGB! + 1).toBeLessThan(p.vramGB!); // the weights leave room for the context
      expect(["Apache-2.0", "MIT", "Llama 3.1 Community License"]).toContain(p.licence);
      expect(p.file).toBeNull(); // nothing downloaded into a new folder
    }
  });
});

describe("opus models pull", () => {
  it("exits 2 on an unknown name, listing the presets", async () => {
    const res = await runCli(["models", "pull", "gpt-5"], { cwd: tempDir(), env: bare });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('unknown model "gpt-5"');
    for (const name of ["opus-mini", "qwen2.5-7b", "qwen2.5-14b", "qwen2.5-32b"]) expect(res.stderr).toContain(name);
    expect(res.stderr).toContain("opus models list");
  });

  it("fails fast offline with the fix and exit 1, downloading nothing", async () => {
    const cwd = tempDir();
    const modelsDir = path.join(cwd, "models");
    // node-llama-cpp and the reachability check both honour HF_ENDPOINT: a closed local port stands for no network.
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const res = await runCli(["models", "pull", "qwen2.5-7b"], { cwd, env: { ...bare, HF_ENDPOINT: endpoint, OPUS_MODELS_DIR: modelsDir }, timeoutMs: 150_000 });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`opus: model "qwen2.5-7b": cannot download hf:bartowski/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q4_K_M.gguf: ${endpoint} is unreachable`);
    expect(res.stderr).toContain("looks offline");
    expect(res.stderr).toContain(`into ${modelsDir}`);
    expect(res.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(modelsDir) ? readdirSync(modelsDir) : []).toEqual([]);
  }, 180_000); // bounded by the CLI's start on a busy machine, not by the network: the port refuses at once

  it.runIf(builtInPresent)("has nothing to download for the built-in model", async () => {
    const res = await runCli(["models", "pull", "opus-mini"], { cwd: tempDir(), env: bare });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`opus-mini is built in, nothing to download: ${builtInFile}`);
  });

  it.skipIf(builtInPresent)("says how to get the built-in model while it is missing", async () => {
    const res = await runCli(["models", "pull", "opus-mini"], { cwd: tempDir(), env: bare });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("models/opus-mini.gguf is not in this copy of Opus");
  });
});

describe("opus generate without OPUS_MODEL", () => {
  it.runIf(builtInPresent)("writes with the built-in model and says so in one line, with how to use a real one", async () => {
    // The note comes before the engine starts: stop there, the whole entry is other tests' business.
    const res = await runCli(["generate", "Theosis", "--tier", "B"], { cwd: tempDir(), env: bare, stopWhen: /note: .*\n/ });
    const note = res.stderr.split("\n").find((line) => line.startsWith("note: "));
    expect(note).toMatch(/^note: writing with opus-mini, Opus's small built-in model \(\d+\.\d MB, trained on public-domain Church Fathers and Scripture\), so expect rough prose\. /);
    expect(note).toContain("OPUS_MODEL=<preset> npm run demo");
    expect(note).toContain("npx opus models pull <preset>");
  });

  it.skipIf(builtInPresent)("names the missing built-in model and the fix", async () => {
    const res = await runCli(["generate", "Theosis", "--tier", "B"], { cwd: tempDir(), env: bare });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("opus: the built-in model models/opus-mini.gguf is not in this copy of Opus");
    expect(res.stderr).toContain("OPUS_MODEL=qwen2.5-7b after `npx opus models pull qwen2.5-7b`");
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
});
