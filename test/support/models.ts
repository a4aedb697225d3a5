// Where tests find their small real models (see ../shared/models/PROVENANCE.md).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const sharedModels = path.resolve(repoRoot, "../shared/models");

/** The generator model for tests: OPUS_TEST_MODEL, or stories260K beside the repository. */
export const testModelPath = path.resolve(process.env.OPUS_TEST_MODEL ?? path.join(sharedModels, "stories260K.gguf"));
/** A random-weights llama with a 32k vocabulary: gibberish output, for error paths and grammars. */
export const randomModelPath = path.join(sharedModels, "llama-2-tiny-random.gguf");
export const minilmTokenizerDir = path.join(sharedModels, "all-MiniLM-L6-v2-tokenizer-only");

export function assertTestModel(): void {
  if (!existsSync(testModelPath)) {
    throw new Error(
      `Test model not found at ${testModelPath}. Set OPUS_TEST_MODEL to a GGUF file, ` +
        `or put the shared test assets beside the repository (../shared/models/stories260K.gguf).`,
    );
  }
}
