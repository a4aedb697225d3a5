import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../gpu-node/engine/index.ts";
import { loadNodeConfig, noModelMessage } from "../../gpu-node/config/index.ts";
import { resolveModelSource } from "../../gpu-node/engine/model-source.ts";
import { ModelSourceError } from "../../gpu-node/engine/errors.ts";
import { storiesPath, tempDir } from "./helpers.ts";

function writeConfig(content: unknown, name = "opus.config.json"): { dir: string; file: string } {
  const dir = tempDir();
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
  return { dir, file };
}

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadNodeConfig", () => {
  it("works with OPUS_MODEL alone, registering the default generator with sane defaults", () => {
    const dir = tempDir();
    const config = loadNodeConfig({ env: { OPUS_MODEL: storiesPath }, cwd: dir });
    expect(config.models).toHaveLength(1);
    expect(config.models[0]).toMatchObject({ id: "default", source: storiesPath, roles: ["generator"], contextSize: "auto", threads: "auto" });
    expect(config.profile).toBe("development");
    expect(config.paths.cacheDir).toBe(path.join(dir, ".opus/cache"));
    expect(config.configFile).toBeNull();
  });

  it("resolves a relative OPUS_MODEL against cwd and keeps hf: URIs as they are", () => {
    const dir = tempDir();
    expect(loadNodeConfig({ env: { OPUS_MODEL: "models/m.gguf" }, cwd: dir }).models[0]!.source).toBe(path.join(dir, "models/m.gguf"));
    expect(loadNodeConfig({ env: { OPUS_MODEL: "hf:user/repo/file.gguf" }, cwd: dir }).models[0]!.source).toBe("hf:user/repo/file.gguf");
  });

  it("tells the user how to set OPUS_MODEL when no model is configured", () => {
    const error = configError(() => loadNodeConfig({ env: {}, cwd: tempDir() }));
    expect(error.message).toBe(noModelMessage);
    expect(error.message).toContain("OPUS_MODEL=/path/to/model.gguf");
    expect(error.message).toContain("hf:user/repo/file.gguf");
    // doctor can still start without a model
    expect(loadNodeConfig({ env: {}, cwd: tempDir(), requireModel: false }).models).toEqual([]);
  });

  it("names the file, the key, the value and what is allowed for a bad value", () => {
    const { file } = writeConfig({ models: [{ id: "m", source: storiesPath, contextSize: "big" }] });
    const error = configError(() => loadNodeConfig({ file, env: {} }));
    expect(error.message).toBe('opus.config.json: models[0].contextSize = "big": expected "auto" or a positive integer');
  });

  it("reports every problem, unknown keys with the allowed ones, and missing values", () => {
    const { file } = writeConfig({ modles: [], queue: { maxWaiting: -1 }, models: [{ id: "m" }] });
    const error = configError(() => loadNodeConfig({ file, env: {} }));
    expect(error.problems).toContain("opus.config.json: models[0].source is missing: expected a GGUF file path or an hf: URI");
    expect(error.problems).toContain("opus.config.json: queue.maxWaiting = -1: expected a non-negative integer");
    const unknown = error.problems.find((p) => p.includes("modles"));
    expect(unknown).toMatch(/^opus\.config\.json: modles: unknown setting \(allowed: profile, gpu, logLevel, models, memory/);
  });

  it("names the environment variable when an override is bad", () => {
    const error = configError(() => loadNodeConfig({ env: { OPUS_MODEL: storiesPath, OPUS_CONTEXT_SIZE: "huge", OPUS_PORT: "99999" }, cwd: tempDir() }));
    expect(error.problems).toContain('OPUS_CONTEXT_SIZE (models[0].contextSize) = "huge": expected "auto" or a positive integer');
    expect(error.problems).toContain("OPUS_PORT (server.port) = 99999: expected a port number from 1 to 65535");
    const generic = configError(() => loadNodeConfig({ env: { OPUS_MODEL: storiesPath, OPUS_QUEUE__MAX_WAITNG: "3" }, cwd: tempDir() }));
    expect(generic.message).toContain("OPUS_QUEUE__MAX_WAITNG: no setting queue.maxWaitng (allowed in queue: maxWaiting, maxWaitMs)");
  });

  it("applies environment over file over profile over defaults", () => {
    const { file } = writeConfig({ profile: "production", models: [{ id: "m", source: "m.gguf", roles: ["judge"] }], queue: { maxWaiting: 7 } });
    const config = loadNodeConfig({ file, env: { OPUS_QUEUE__MAX_WAIT_MS: "1234", OPUS_THREADS: "1", OPUS_MEMORY_BUDGET: "2GiB" } });
    expect(config.profile).toBe("production");
    expect(config.queue).toEqual({ maxWaiting: 7, maxWaitMs: 1234 });
    expect(config.generation.requestTimeoutMs).toBe(1_800_000); // production profile
    expect(config.server.host).toBe("0.0.0.0");
    expect(config.memory.budget).toBe("2GiB");
    expect(config.models[0]!.threads).toBe(1);
    // Relative model paths in a file start at the file's folder; the only model becomes the generator.
    expect(config.models[0]!.source).toBe(path.join(path.dirname(file), "m.gguf"));
    expect(config.models[0]!.roles).toEqual(["judge", "generator"]);
    // An explicit profile argument wins over the file's.
    expect(loadNodeConfig({ file, env: {}, profile: "development" }).generation.requestTimeoutMs).toBe(300_000);
  });

  it("lets OPUS_MODEL replace the source of the configured generator", () => {
    const { file } = writeConfig({ models: [{ id: "judge", source: "j.gguf", roles: ["judge"] }, { id: "writer", source: "w.gguf", roles: ["generator"] }] });
    const config = loadNodeConfig({ file, env: { OPUS_MODEL: storiesPath } });
    expect(config.models.map((m) => [m.id, m.source])).toEqual([
      ["judge", path.join(path.dirname(file), "j.gguf")],
      ["writer", storiesPath],
    ]);
  });

  it("reads YAML, finds opus.config.* in cwd, and rejects broken files and duplicate ids", () => {
    const { dir } = writeConfig("models:\n  - id: a\n    source: a.gguf\n    sequences: 2\n", "opus.config.yaml");
    const config = loadNodeConfig({ env: {}, cwd: dir });
    expect(config.configFile).toBe(path.join(dir, "opus.config.yaml"));
    expect(config.models[0]!.sequences).toBe(2);

    const broken = writeConfig("{ models: ");
    expect(configError(() => loadNodeConfig({ file: broken.file, env: {} })).message).toMatch(/^opus\.config\.json: not valid JSON: /);
    const dup = writeConfig({ models: [{ id: "a", source: "a.gguf" }, { id: "a", source: "b.gguf" }] });
    expect(configError(() => loadNodeConfig({ file: dup.file, env: {} })).message).toBe(
      'opus.config.json: models[1].id = "a": already used by models[0]; ids must be unique',
    );
    expect(configError(() => loadNodeConfig({ file: path.join(dir, "missing.json"), env: {} })).message).toContain("missing.json: config file not found");
    expect(configError(() => loadNodeConfig({ env: { OPUS_PROFILE: "staging", OPUS_MODEL: "x" }, cwd: dir })).message).toBe(
      'OPUS_PROFILE (profile) = "staging": expected "development" or "production"',
    );
  });
});

describe("model sources", () => {
  it("fails clearly for a missing file", async () => {
    const dir = tempDir();
    await expect(
      resolveModelSource(path.join(dir, "nope.gguf"), { modelsDir: dir, download: true, connectTimeoutMs: 2000, showProgress: false, label: 'model "x"' }),
    ).rejects.toThrow(/^model "x": no model file at .*nope\.gguf\. Check the path, or set OPUS_MODEL/);
  });

  it("fails with a clear message instead of hanging when an hf: model cannot be downloaded", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "models"));
    const error = await resolveModelSource("hf:opus-test-nonexistent/none-GGUF/none.Q4_K_M.gguf", {
      modelsDir: path.join(dir, "models"),
      download: true,
      connectTimeoutMs: 3000,
      showProgress: false,
      label: 'model "default"',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelSourceError);
    // Offline (as in CI) the message says so; with internet the download itself fails for this repository.
    expect((error as Error).message).toMatch(/^model "default": cannot download hf:opus-test-nonexistent\/none-GGUF\/none\.Q4_K_M\.gguf: /);
    const disabled = await resolveModelSource("hf:user/repo/file.gguf", { modelsDir: dir, download: false, connectTimeoutMs: 1000, showProgress: false, label: "m" }).catch((e: unknown) => e);
    expect((disabled as Error).message).toContain("downloads are disabled (download.enabled = false)");
  }, 30_000);
});
