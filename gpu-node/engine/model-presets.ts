// Named models that OPUS_MODEL (or a config file's `source`) may give instead of a path or URI: the
// small model built into the repository, and instruction models chosen to fit 8, 16 and 24 GB of
// VRAM at Q4_K_M with room for an 8k context. Sizes are the files' sizes on Hugging Face (GB = 10^9).
import path from "node:path";
import { fileURLToPath } from "node:url";

export type ModelPreset = {
  /** What OPUS_MODEL and `opus models pull` accept. */
  name: string;
  title: string;
  /** An `hf:` URI, or the absolute path of the built-in file. */
  source: string;
  /** Download size in GB; null for the built-in model (its size is read from the file). */
  sizeGB: number | null;
  /** The smallest common GPU memory it fits, with its context; null: runs anywhere, CPU included. */
  vramGB: 8 | 16 | 24 | null;
  licence: string;
  builtIn: boolean;
};

/** Repository-relative path of the built-in model, for messages. */
export const builtInModelRelativePath = "models/opus-mini.gguf";
export const builtInModelPath = fileURLToPath(new URL(`../../${builtInModelRelativePath}`, import.meta.url));
export const builtInModelName = "opus-mini";

export const modelPresets: readonly ModelPreset[] = [
  {
    name: builtInModelName,
    title: "Opus mini (trained by this project on public-domain Church Fathers and Scripture)",
    source: builtInModelPath,
    sizeGB: null,
    vramGB: null,
    licence: "ships with Opus; public-domain training texts",
    builtIn: true,
  },
  {
    name: "qwen2.5-7b",
    title: "Qwen2.5 7B Instruct, Q4_K_M",
    source: "hf:bartowski/Qwen2.5-7B-Instruct-GGUF/Qwen2.5-7B-Instruct-Q4_K_M.gguf",
    sizeGB: 4.68,
    vramGB: 8,
    licence: "Apache-2.0",
    builtIn: false,
  },
  {
    name: "llama3.1-8b",
    title: "Meta Llama 3.1 8B Instruct, Q4_K_M",
    source: "hf:bartowski/Meta-Llama-3.1-8B-Instruct-GGUF/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf",
    sizeGB: 4.92,
    vramGB: 8,
    licence: "Llama 3.1 Community License",
    builtIn: false,
  },
  {
    name: "qwen2.5-14b",
    title: "Qwen2.5 14B Instruct, Q4_K_M",
    source: "hf:bartowski/Qwen2.5-14B-Instruct-GGUF/Qwen2.5-14B-Instruct-Q4_K_M.gguf",
    sizeGB: 8.99,
    vramGB: 16,
    licence: "Apache-2.0",
    builtIn: false,
  },
  {
    name: "phi-4",
    title: "Microsoft Phi-4 (14B), Q4_K_M",
    source: "hf:bartowski/phi-4-GGUF/phi-4-Q4_K_M.gguf",
    sizeGB: 9.05,
    vramGB: 16,
    licence: "MIT",
    builtIn: false,
  },
  {
    name: "mistral-small-24b",
    title: "Mistral Small 24B Instruct 2501, Q4_K_M",
    source: "hf:bartowski/Mistral-Small-24B-Instruct-2501-GGUF/Mistral-Small-24B-Instruct-2501-Q4_K_M.gguf",
    sizeGB: 14.3,
    vramGB: 24,
    licence: "Apache-2.0",
    builtIn: false,
  },
  {
    name: "qwen2.5-32b",
    title: "Qwen2.5 32B Instruct, Q4_K_M",
    source: "hf:bartowski/Qwen2.5-32B-Instruct-GGUF/Qwen2.5-32B-Instruct-Q4_K_M.gguf",
    sizeGB: 19.9,
    vramGB: 24,
    licence: "Apache-2.0",
    builtIn: false,
  },
];

/** The preset of that name (case-insensitive), if any. */
export function findModelPreset(name: string): ModelPreset | undefined {
  const wanted = name.trim().toLowerCase();
  return modelPresets.find((preset) => preset.name === wanted);
}

/** A preset name becomes its source; anything else (a path, an hf: URI, a URL) is returned as given. */
export function resolvePresetSource(source: string): string {
  return findModelPreset(source)?.source ?? source;
}

/** Why the built-in model is missing and what to do, for every place that finds it missing. */
export function builtInModelMissingMessage(): string {
  return (
    `the built-in model ${builtInModelRelativePath} is not in this copy of Opus (expected at ${builtInModelPath}; it ships with the repository, so update your clone). ` +
    "Or set OPUS_MODEL to a preset from `npx opus models list` (e.g. OPUS_MODEL=qwen2.5-7b after `npx opus models pull qwen2.5-7b`), a GGUF file or an hf: URI."
  );
}

export function isBuiltInModelSource(source: string): boolean {
  return path.resolve(source) === builtInModelPath;
}
