// Which model a benchmark measures: the one named in OPUS_BENCH_MODEL, else stories260K from the
// shared test assets beside the repository (../shared, present on our machines, not on a user's),
// else the committed models/opus-mini.gguf; the fallback is said on stderr so figures are not
// mistaken for another model's.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const sharedStories = path.resolve(repoRoot, "../shared/models/stories260K.gguf");
const committedModel = path.join(repoRoot, "models", "opus-mini.gguf");

export function benchModelPath(envVar = "OPUS_BENCH_MODEL"): string {
  const named = process.env[envVar];
  if (named) return path.resolve(named);
  if (existsSync(sharedStories)) return sharedStories;
  if (existsSync(committedModel)) {
    console.error(`bench: ${path.relative(process.cwd(), sharedStories)} is absent (no ../shared beside the repository); measuring ${path.relative(process.cwd(), committedModel)} instead. Set ${envVar} to choose the model.`);
    return committedModel;
  }
  throw new Error(`bench: no model to measure: set ${envVar} to a GGUF file (neither ../shared/models/stories260K.gguf nor models/opus-mini.gguf exists)`);
}
