// Preset names in OPUS_MODEL and config files, and the built-in default of `opus generate`.
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadNodeConfig } from "../../gpu-node/config/index.ts";
import { resolveModelSource } from "../../gpu-node/engine/model-source.ts";
import { builtInModelPath } from "../../gpu-node/engine/model-presets.ts";
import { chooseGeneratorModel } from "../../cli/generator-model.ts";
import { repoRoot } from "../support/paths.ts";

const tempDir = () => mkdtempSync(path.join(os.tmpdir(), "opus-presets-"));
const committedFile = path.join(repoRoot, "models/opus-mini.gguf");
const builtInPresent = existsSync(committedFile);

describe("OPUS_MODEL presets", () => {
  it("resolves a preset name to its hf: URI, ignoring case", () => {
    const cwd = tempDir();
    const uri = "hf:bartowski/Qwen2.5-14B-Instruct-GGUF/Qwen2.5-14B-Instruct-Q4_K_M.gguf";
    expect(loadNodeConfig({ env: { OPUS_MODEL: "qwen2.5-14b" }, cwd }).models[0]).toMatchObject({ id: "default", source: uri, roles: ["generator"] });
    expect(loadNodeConfig({ env: { OPUS_MODEL: " Qwen2.5-14B " }, cwd }).models[0]!.source).toBe(uri);
  });

  it("resolves the built-in alias to the committed file", () => {
    expect(builtInModelPath).toBe(committedFile);
    expect(loadNodeConfig({ env: { OPUS_MODEL: "opus-mini" }, cwd: tempDir() }).models[0]!.source).toBe(committedFile);
  });

  it("accepts presets as a config file's source, and leaves paths and URIs that are not presets alone", () => {
    const dir = tempDir();
    const file = path.join(dir, "opus.config.json");
    writeFileSync(file, JSON.stringify({ models: [{ id: "writer", source: "phi-4", roles: ["generator"] }, { id: "local", source: "phi-4.gguf" }] }));
    const config = loadNodeConfig({ file, env: {} });
    expect(config.models.map((m) => m.source)).toEqual(["hf:bartowski/phi-4-GGUF/phi-4-Q4_K_M.gguf", path.join(dir, "phi-4.gguf")]);
    expect(loadNodeConfig({ env: { OPUS_MODEL: "hf:someone/qwen2.5-7b/x.gguf" }, cwd: dir }).models[0]!.source).toBe("hf:someone/qwen2.5-7b/x.gguf");
  });
});

describe("the generator of `opus generate`", () => {
  it("keeps OPUS_MODEL when given, and notices when it names the built-in model", () => {
    const cwd = tempDir();
    const given = { OPUS_MODEL: "qwen2.5-7b" };
    expect(chooseGeneratorModel(given, { cwd })).toEqual({ env: given, builtIn: false });
    expect(chooseGeneratorModel({ OPUS_MODEL: "opus-mini" }, { cwd }).builtIn).toBe(true);
  });

  it("keeps the models of a config file", () => {
    const dir = tempDir();
    const file = path.join(dir, "opus.config.json");
    writeFileSync(file, JSON.stringify({ models: [{ id: "writer", source: "llama3.1-8b" }] }));
    expect(chooseGeneratorModel({}, { configFile: file })).toEqual({ env: {}, builtIn: false });
  });

  it.runIf(builtInPresent)("defaults to the built-in model when nothing is configured", () => {
    expect(chooseGeneratorModel({}, { cwd: tempDir() })).toEqual({ env: { OPUS_MODEL: "opus-mini" }, builtIn: true });
  });

  it.skipIf(builtInPresent)("names the missing built-in model and the fix", async () => {
    expect(() => chooseGeneratorModel({}, { cwd: tempDir() })).toThrow(/built-in model models\/opus-mini\.gguf is not in this copy of Opus.*OPUS_MODEL/);
    const error = await resolveModelSource(committedFile, { modelsDir: tempDir(), download: false, connectTimeoutMs: 1000, showProgress: false, label: 'model "default"' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^model "default": the built-in model models\/opus-mini\.gguf is not in this copy of Opus/);
  });
});
