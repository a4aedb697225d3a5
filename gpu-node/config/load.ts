// Loads the node configuration: schema defaults < profile < config file (JSON or YAML) < OPUS_* environment.
// An invalid value stops the node at start with one line per problem naming key, value and what is allowed.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { allowedKeysAt } from "./schema-walk.ts";
import { collectEnvOverrides, type ConfigPath } from "./env.ts";
import { ConfigError, formatPath, formatValue } from "../engine/config/errors.ts";
import { isProfileName, profiles, type ProfileName } from "./profiles.ts";
import { nodeConfigSchema, type NodeConfig } from "./schema.ts";
import { isRemoteModelSource } from "../engine/model-source.ts";
import { resolvePresetSource } from "../engine/model-presets.ts";

export type LoadNodeConfigOptions = {
  /** Config file (JSON, or YAML by extension). Default: OPUS_CONFIG, else opus.config.{json,yaml,yml} in cwd if present. */
  file?: string;
  /** Environment to read OPUS_* overrides from. Default: process.env. */
  env?: Record<string, string | undefined>;
  /** Default: OPUS_PROFILE, else the file's `profile`, else "production" when NODE_ENV=production, else "development". */
  profile?: ProfileName;
  /** Where relative paths from the environment (and config file discovery) start. Default: process.cwd(). */
  cwd?: string;
  /** Fail when no model is configured (default true). `opus doctor` turns this off to report hardware anyway. */
  requireModel?: boolean;
};

const discoverable = ["opus.config.json", "opus.config.yaml", "opus.config.yml"];

export const noModelMessage =
  "No model configured. Set OPUS_MODEL to a preset from `npx opus models list` (OPUS_MODEL=qwen2.5-7b), a GGUF file " +
  '(OPUS_MODEL=/path/to/model.gguf) or a Hugging Face URI (OPUS_MODEL=hf:user/repo/file.gguf), or list models in opus.config.json under "models".';

type Origin = { kind: "file" } | { kind: "env"; variable: string } | { kind: "profile" };

type Raw = Record<string, unknown>;

function isPlainObject(value: unknown): value is Raw {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; arrays and scalars from `over` replace. */
function deepMerge(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Raw = { ...base };
    for (const [key, value] of Object.entries(over)) out[key] = key in base ? deepMerge(base[key], value) : value;
    return out;
  }
  return over === undefined ? base : over;
}

function setAt(target: Raw, at: ConfigPath, value: unknown): void {
  let node: Raw | unknown[] = target;
  for (let i = 0; i < at.length - 1; i++) {
    const key = at[i]!;
    const next = (node as Raw)[key as string];
    if (!isPlainObject(next) && !Array.isArray(next)) (node as Raw)[key as string] = {};
    node = (node as Raw)[key as string] as Raw;
  }
  (node as Raw)[at[at.length - 1] as string] = value;
}

function getAt(target: unknown, at: readonly PropertyKey[]): unknown {
  let node = target;
  for (const key of at) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function readConfigFile(file: string): Raw {
  const name = path.basename(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError([`${file}: cannot read the config file (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  let parsed: unknown;
  try {
    parsed = /\.ya?ml$/i.test(file) ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    const kind = /\.ya?ml$/i.test(file) ? "YAML" : "JSON";
    throw new ConfigError([`${name}: not valid ${kind}: ${(error as Error).message.split("\n")[0]}`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isPlainObject(parsed)) throw new ConfigError([`${name}: expected an object of settings at the top level, found ${formatValue(parsed)}`]);
  return parsed;
}

function findConfigFile(options: LoadNodeConfigOptions, env: Record<string, string | undefined>, cwd: string): string | null {
  const explicit = options.file ?? (env.OPUS_CONFIG ? env.OPUS_CONFIG : undefined);
  if (explicit !== undefined) {
    const file = path.resolve(cwd, explicit);
    if (!existsSync(file)) {
      const via = options.file !== undefined ? "" : " (from OPUS_CONFIG)";
      throw new ConfigError([`${file}${via}: config file not found`]);
    }
    return file;
  }
  for (const name of discoverable) {
    const file = path.join(cwd, name);
    if (existsSync(file)) return file;
  }
  return null;
}

function resolveProfile(options: LoadNodeConfigOptions, env: Record<string, string | undefined>, fileRaw: Raw, fileName: string): ProfileName {
  if (options.profile !== undefined) {
    if (!isProfileName(options.profile)) throw new ConfigError([`profile = ${formatValue(options.profile)}: expected "development" or "production"`]);
    return options.profile;
  }
  if (env.OPUS_PROFILE) {
    if (!isProfileName(env.OPUS_PROFILE)) throw new ConfigError([`OPUS_PROFILE (profile) = ${formatValue(env.OPUS_PROFILE)}: expected "development" or "production"`]);
    return env.OPUS_PROFILE;
  }
  if (fileRaw.profile !== undefined) {
    if (!isProfileName(fileRaw.profile)) throw new ConfigError([`${fileName}: profile = ${formatValue(fileRaw.profile)}: expected "development" or "production"`]);
    return fileRaw.profile;
  }
  return env.NODE_ENV === "production" ? "production" : "development";
}

function describeIssue(issue: z.core.$ZodIssue, raw: Raw, origins: Map<string, Origin>, fileName: string): string {
  const at = issue.path;
  // The origin of the deepest prefix the environment set; else the file if it holds the value; else the profile.
  let origin: Origin | undefined;
  for (let len = at.length; len >= 0 && !origin; len--) origin = origins.get(formatPath(at.slice(0, len)));
  const where = formatPath(at);
  const value = getAt(raw, at);
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeysAt(nodeConfigSchema, at);
    return issue.keys
      .map((key) => {
        const keyPath = formatPath([...at, key]);
        const prefix = origin?.kind === "env" ? `${origin.variable} (${keyPath})` : `${fileName}: ${keyPath}`;
        return `${prefix}: unknown setting (allowed${where ? ` in ${where}` : ""}: ${allowed.join(", ")})`;
      })
      .join("\n");
  }
  const expected = issue.message.replace(/^Invalid input: /, "");
  const shown = value === undefined ? " is missing" : ` = ${formatValue(value)}`;
  if (origin?.kind === "env") return `${origin.variable} (${where})${shown}: ${expected}`;
  if (origin?.kind === "profile" || getAt(raw, at) === undefined) return `${fileName}: ${where || "(top level)"}${shown}: ${expected}`;
  return `${fileName}: ${where}${shown}: ${expected}`;
}

/** A preset name (`opus models list`) becomes its hf: URI or built-in file; relative paths start at baseDir. */
function resolveSourcePath(source: string, baseDir: string): string {
  const resolved = resolvePresetSource(source);
  if (isRemoteModelSource(resolved)) return resolved;
  return path.resolve(baseDir, resolved);
}

/** Reads, merges and validates the node configuration. Throws ConfigError with one line per problem. */
export function loadNodeConfig(options: LoadNodeConfigOptions = {}): NodeConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const configFile = findConfigFile(options, env, cwd);
  const fileRaw = configFile ? readConfigFile(configFile) : {};
  const fileName = configFile ? path.basename(configFile) : "configuration";
  const fileDir = configFile ? path.dirname(configFile) : cwd;
  const profile = resolveProfile(options, env, fileRaw, fileName);

  const origins = new Map<string, Origin>();
  const raw = deepMerge(structuredClone(profiles[profile]), structuredClone(fileRaw)) as Raw;
  raw.profile = profile;

  const overrides = collectEnvOverrides(env);
  for (const override of overrides.node) {
    setAt(raw, override.path, override.value);
    origins.set(formatPath(override.path), { kind: "env", variable: override.variable });
  }

  // OPUS_MODEL registers the default generator: it replaces the source of the configured generator, or adds one.
  if (raw.models !== undefined && !Array.isArray(raw.models)) {
    throw new ConfigError([`${fileName}: models = ${formatValue(raw.models)}: expected a list of models ({ "id": ..., "source": ... })`]);
  }
  const models = ((raw.models as unknown[] | undefined) ?? []).map((m) => (isPlainObject(m) ? { ...m } : m));
  raw.models = models;
  const envModel = env.OPUS_MODEL?.trim();
  if (envModel) {
    const generatorIndex = models.findIndex((m) => isPlainObject(m) && Array.isArray(m.roles) && m.roles.includes("generator"));
    const source = resolveSourcePath(envModel, cwd);
    if (generatorIndex >= 0) {
      (models[generatorIndex] as Raw).source = source;
      origins.set(formatPath(["models", generatorIndex, "source"]), { kind: "env", variable: "OPUS_MODEL" });
    } else {
      const id = env.OPUS_MODEL_ID?.trim() || "default";
      models.unshift({ id, source, roles: ["generator"] });
      origins.set(formatPath(["models", 0]), { kind: "env", variable: "OPUS_MODEL" });
      // Indices of file models moved by one: their origins are the file, which is the fallback anyway.
    }
  }
  models.forEach((model, index) => {
    if (!isPlainObject(model)) return;
    for (const override of overrides.model) {
      model[override.key] = override.value;
      origins.set(formatPath(["models", index, override.key]), { kind: "env", variable: override.variable });
    }
  });

  const result = nodeConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => describeIssue(issue, raw, origins, fileName)));
  }
  const config = result.data;

  // Relative paths: those from the file start at the file's folder, those from the environment at cwd.
  const baseFor = (key: string) => (origins.get(key)?.kind === "env" ? cwd : fileDir);
  config.paths.cacheDir = path.resolve(baseFor("paths.cacheDir"), config.paths.cacheDir);
  config.paths.modelsDir = path.resolve(baseFor("paths.modelsDir"), config.paths.modelsDir);
  if (config.paths.database !== ":memory:") config.paths.database = path.resolve(baseFor("paths.database"), config.paths.database);
  const knowledge = config.knowledge;
  knowledge.indexDir = path.resolve(baseFor("knowledge.indexDir"), knowledge.indexDir);
  // The embedding models live in the node's cache unless placed elsewhere on purpose.
  const embedderCacheSet = origins.has("knowledge.embedderCache") || getAt(raw, ["knowledge", "embedderCache"]) !== undefined;
  knowledge.embedderCache = embedderCacheSet ? path.resolve(baseFor("knowledge.embedderCache"), knowledge.embedderCache) : path.join(config.paths.cacheDir, "models");
  if (knowledge.goldenDir) knowledge.goldenDir = path.resolve(baseFor("knowledge.goldenDir"), knowledge.goldenDir);
  config.models.forEach((model, index) => {
    const fromEnv = origins.get(formatPath(["models", index, "source"]))?.kind === "env" || origins.get(formatPath(["models", index]))?.kind === "env";
    model.source = resolveSourcePath(model.source, fromEnv ? cwd : fileDir);
  });

  const problems: string[] = [];
  const seen = new Map<string, number>();
  config.models.forEach((model, index) => {
    const first = seen.get(model.id);
    if (first !== undefined) problems.push(`${fileName}: models[${index}].id = ${formatValue(model.id)}: already used by models[${first}]; ids must be unique`);
    else seen.set(model.id, index);
  });
  if (problems.length > 0) throw new ConfigError(problems);
  // With no declared generator, the first model writes.
  if (config.models.length > 0 && !config.models.some((m) => m.roles.includes("generator"))) config.models[0]!.roles.push("generator");
  if ((options.requireModel ?? true) && config.models.length === 0) throw new ConfigError([noModelMessage]);

  return { ...config, configFile };
}
