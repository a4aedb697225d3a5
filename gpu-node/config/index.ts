// The node configuration's public API: the schema, the loader and the environment names.
export { loadNodeConfig, noModelMessage, type LoadNodeConfigOptions } from "./load.ts";
export { nodeConfigSchema, type NodeConfig, type NodeConfigInput } from "./schema.ts";
export { envAliases, modelEnvAliases } from "./env.ts";
export { ConfigError } from "../engine/config/errors.ts";
export type { ModelConfig } from "../engine/config/schema.ts";
