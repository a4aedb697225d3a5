// Where tests find their small real models. Nothing needs to sit beside the repository: the generator
// is the committed models/opus-mini.gguf, the random-weights model is written here by our own GGUF
// writer, and the WordPiece tokenizer is a fixture in the repository.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildRandomLlamaGguf } from "./random-llama.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Opus's own small model, committed with its provenance record. */
export const committedModelPath = path.join(repoRoot, "models", "opus-mini.gguf");
/** The generator model for tests: OPUS_TEST_MODEL, else the committed model. */
export const testModelPath = path.resolve(process.env.OPUS_TEST_MODEL ?? committedModelPath);

/**
 * Writes the random-weights llama into the temp folder once, named by the sha256 of its bytes, so a
 * changed writer or vocabulary gets a new file and parallel test processes share one: each writes a
 * temporary name and renames it into place (atomic; the bytes are identical either way).
 */
export function ensureRandomModel(dir = path.join(os.tmpdir(), "opus-test-models")): string {
  const bytes = buildRandomLlamaGguf();
  const sha = createHash("sha256").update(bytes).digest("hex").slice(0, 16);
  const file = path.join(dir, `random-llama-${sha}.gguf`);
  if (existsSync(file) && statSync(file).size === bytes.length) return file;
  mkdirSync(dir, { recursive: true });
  const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, file);
  return file;
}

/** A random-weights llama with a byte-fallback vocabulary of about 2,400 pieces: gibberish output, for error paths and grammars. */
export const randomModelPath = ensureRandomModel();
/** A small WordPiece (BERT-style) tokenizer folder without weights. */
export const wordpieceTokenizerDir = path.join(repoRoot, "test", "knowledge", "fixtures", "wordpiece-tokenizer");

export function assertTestModel(): void {
  if (!existsSync(testModelPath)) {
    throw new Error(
      `Test model not found at ${testModelPath}. Set OPUS_TEST_MODEL to a GGUF file, or restore the committed ` +
        `model (${path.relative(repoRoot, committedModelPath)}: see training/ for how it is made).`,
    );
  }
}
