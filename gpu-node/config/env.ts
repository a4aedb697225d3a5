// The node's one reader of OPUS_* variables: a friendly name for the common settings, plus
// OPUS_<SECTION>__<KEY> for any setting; each names a key of the node's schema (schema.ts). The
// loader reads OPUS_CONFIG, OPUS_PROFILE, OPUS_MODEL and OPUS_MODEL_ID itself (they choose the file,
// the profile and the generator), and the signing secret OPUS_NODE_SECRET is handed to the node,
// never stored in its configuration. Unrelated OPUS_* variables (the edge's, the CLI's) are ignored
// unless they use the "__" form.
import { allowedKeysAt } from "./schema-walk.ts";
import { nodeConfigSchema } from "./schema.ts";
import { ConfigError } from "../engine/config/errors.ts";

export type ConfigPath = (string | number)[];

/** Node-wide friendly names. */
export const envAliases: Readonly<Record<string, ConfigPath>> = {
  OPUS_GPU: ["gpu"],
  OPUS_LOG_LEVEL: ["logLevel"],
  OPUS_LOG_FORMAT: ["logFormat"],
  OPUS_MEMORY_BUDGET: ["memory", "budget"],
  OPUS_MAX_TOKENS: ["generation", "maxTokens"],
  OPUS_REQUEST_TIMEOUT_MS: ["generation", "requestTimeoutMs"],
  OPUS_BATCHING: ["generation", "batching"],
  OPUS_QUEUE_MAX_WAITING: ["queue", "maxWaiting"],
  OPUS_QUEUE_MAX_WAIT_MS: ["queue", "maxWaitMs"],
  OPUS_CACHE_DIR: ["paths", "cacheDir"],
  OPUS_MODELS_DIR: ["paths", "modelsDir"],
  OPUS_NODE_DB: ["paths", "database"],
  OPUS_KNOWLEDGE: ["knowledge", "enabled"],
  OPUS_EMBEDDER: ["knowledge", "embedder"],
  OPUS_EMBEDDER_CACHE: ["knowledge", "embedderCache"],
  OPUS_EMBEDDER_OFFLINE: ["knowledge", "embedderOffline"],
  OPUS_KNOWLEDGE_DIR: ["knowledge", "indexDir"],
  OPUS_INDEX_QUANTIZATION: ["knowledge", "indexQuantization"],
  OPUS_SOURCES: ["sources", "enabled"],
  OPUS_SOURCES_DIR: ["sources", "dir"],
  OPUS_HOST: ["server", "host"],
  OPUS_PORT: ["server", "port"],
  OPUS_NODE_CAPACITY: ["entries", "capacity"],
  OPUS_TRACES_ENDPOINT: ["telemetry", "tracesEndpoint"],
  OPUS_EDGE_URL: ["edge", "url"],
  OPUS_NODE_MODE: ["edge", "mode"],
  OPUS_NODE_ID: ["edge", "nodeId"],
  OPUS_NODE_PUBLIC_URL: ["edge", "publicUrl"],
  OPUS_LEASE_POLL_MS: ["edge", "leasePollMs"],
};

/** Per-model settings from the environment apply to every configured model. */
export const modelEnvAliases: Readonly<Record<string, string>> = {
  OPUS_CONTEXT_SIZE: "contextSize",
  OPUS_BATCH_SIZE: "batchSize",
  OPUS_SEQUENCES: "sequences",
  OPUS_GPU_LAYERS: "gpuLayers",
  OPUS_THREADS: "threads",
};

/** Environment text to the JSON value a config file would hold: numbers, booleans, JSON, else the string. */
export function parseEnvValue(raw: string): unknown {
  const text = raw.trim();
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text.startsWith("[") || text.startsWith("{")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}

function camel(part: string): string {
  return part.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export type EnvOverride = { variable: string; path: ConfigPath; value: unknown };

/** The overrides the environment asks for, in a stable order. Model-level ones are resolved later. */
export function collectEnvOverrides(env: Record<string, string | undefined>): { node: EnvOverride[]; model: { variable: string; key: string; value: unknown }[] } {
  const node: EnvOverride[] = [];
  const model: { variable: string; key: string; value: unknown }[] = [];
  for (const variable of Object.keys(env).sort()) {
    const raw = env[variable];
    if (raw === undefined || raw === "" || !variable.startsWith("OPUS_")) continue;
    const alias = envAliases[variable];
    if (alias) {
      node.push({ variable, path: alias, value: parseEnvValue(raw) });
      continue;
    }
    const modelKey = modelEnvAliases[variable];
    if (modelKey) {
      model.push({ variable, key: modelKey, value: parseEnvValue(raw) });
      continue;
    }
    if (!variable.includes("__")) continue;
    const parts = variable.slice("OPUS_".length).split("__").map(camel);
    const path = parts.filter((p) => p.length > 0);
    const section = path.slice(0, -1);
    const allowed = allowedKeysAt(nodeConfigSchema, section);
    const last = path[path.length - 1];
    if (path.length < 2 || !last || !allowed.includes(last) || path.length > 2) {
      const where = section.length > 0 ? section.join(".") : "the configuration";
      const hint = allowed.length > 0 ? ` (allowed in ${where}: ${allowed.join(", ")})` : "";
      throw new ConfigError([`${variable}: no setting ${path.join(".")}${hint}. Use OPUS_<SECTION>__<KEY>, e.g. OPUS_QUEUE__MAX_WAITING=32`]);
    }
    node.push({ variable, path, value: parseEnvValue(raw) });
  }
  return { node, model };
}
