// Which model `opus generate` (and so `npm run demo`) writes with: OPUS_MODEL or the config file's
// models when given, else the small model built into the repository, so a fresh clone runs offline.
import { existsSync, statSync } from "node:fs";
import { loadNodeConfig } from "../gpu-node/config/index.ts";
import { builtInModelMissingMessage, builtInModelName, builtInModelPath, isBuiltInModelSource } from "../gpu-node/engine/model-presets.ts";

type Env = Record<string, string | undefined>;

export type GeneratorModel = {
  /** The environment to start the embedded GPU node with (OPUS_MODEL set to the built-in one when nothing was configured). */
  env: Env;
  /** Whether the generator is the built-in model. */
  builtIn: boolean;
};

export function chooseGeneratorModel(env: Env, options: { configFile?: string; cwd?: string } = {}): GeneratorModel {
  const config = loadNodeConfig({ env, file: options.configFile, cwd: options.cwd, requireModel: false });
  if (config.models.length === 0) {
    if (!existsSync(builtInModelPath)) throw new Error(builtInModelMissingMessage());
    return { env: { ...env, OPUS_MODEL: builtInModelName }, builtIn: true };
  }
  const generator = config.models.find((m) => m.roles.includes("generator"));
  // A configured built-in model (OPUS_MODEL=opus-mini) that is missing fails later with the same message.
  return { env, builtIn: generator !== undefined && isBuiltInModelSource(generator.source) };
}

/** The one line `opus generate` prints when it writes with the built-in model. */
export function builtInModelNote(): string {
  const size = existsSync(builtInModelPath) ? `${(statSync(builtInModelPath).size / 1e6).toFixed(1)} MB` : "a few MB";
  return (
    `note: writing with ${builtInModelName}, Opus's small built-in model (${size}, trained on public-domain Church Fathers and Scripture), so expect rough prose. ` +
    "For a real model: `npx opus models list`, `npx opus models pull <preset>`, then OPUS_MODEL=<preset> npm run demo (or npx opus generate)."
  );
}
