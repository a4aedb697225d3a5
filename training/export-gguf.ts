// Writes the trained model as a llama GGUF from the folder `training/train.py export` writes
// (weights.safetensors, tokenizer.json, config.json), and prints the file's size and sha256.
// Run: npx tsx training/export-gguf.ts --in training/out/export --out models/opus-mini.gguf [--type q8_0|f16|f32]
//      [--chat-template FILE] [--license SPDX] [--record training/out/export/record.json --provenance models/opus-mini.provenance.json]
// With --record, the training record (train.py export) is written beside the model as its provenance, with the
// GGUF's own size and sha256 added, so test/training/model-record.test.ts can check the committed file against it.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { buildLlamaGguf, type LlamaHyperParameters, type LlamaTokenizer, type LlamaWeightType } from "./gguf/llama-gguf.ts";
import { readSafetensors } from "./gguf/safetensors.ts";

const count = z.number().int().positive();
const configSchema = z.object({
  name: z.string().min(1),
  context_length: count,
  embedding_length: count,
  block_count: count,
  feed_forward_length: count,
  head_count: count,
  head_count_kv: count,
  rope_freq_base: z.number().positive(),
  rms_norm_eps: z.number().positive(),
  vocab_size: count,
  license: z.string().min(1).optional(),
});

const tokenId = z.number().int().nonnegative();
const tokenizerSchema = z.object({
  model: z.literal("llama"),
  tokens: z.array(z.string()),
  scores: z.array(z.number()),
  token_types: z.array(z.number().int().min(1).max(6)),
  bos_id: tokenId,
  eos_id: tokenId,
  unk_id: tokenId,
  pad_id: z.number().int().min(-1),
  add_space_prefix: z.boolean().optional(),
});

/** general.license when neither --license nor config.json's "license" gives one. */
const DEFAULT_LICENSE = "MIT";

const weightTypes: Record<string, LlamaWeightType> = { q8_0: "Q8_0", f16: "F16", f32: "F32" };

/** A problem the user can fix: printed as one message, without a stack. */
class ExportError extends Error {}

function readJson<T>(file: string, schema: z.ZodType<T>): T {
  if (!existsSync(file)) throw new ExportError(`${file} is missing: run \`python3 training/train.py export\` first, or pass --in <folder>`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new ExportError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new ExportError(`${file} is not as expected:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export interface ExportOptions {
  inDir: string;
  outFile: string;
  weightType: LlamaWeightType;
  chatTemplateFile?: string;
  license?: string;
}

export interface ExportResult {
  file: string;
  bytes: number;
  sha256: string;
}

/** Reads the export folder, writes the GGUF (to a temporary name, then renamed) and returns its record. */
export function exportGguf(options: ExportOptions): ExportResult {
  const config = readJson(path.join(options.inDir, "config.json"), configSchema);
  const tok = readJson(path.join(options.inDir, "tokenizer.json"), tokenizerSchema);
  const weightsFile = path.join(options.inDir, "weights.safetensors");
  if (!existsSync(weightsFile)) throw new ExportError(`${weightsFile} is missing: run \`python3 training/train.py export\` first, or pass --in <folder>`);
  let chatTemplate: string | undefined;
  if (options.chatTemplateFile) {
    if (!existsSync(options.chatTemplateFile)) throw new ExportError(`--chat-template ${options.chatTemplateFile}: no such file`);
    chatTemplate = readFileSync(options.chatTemplateFile, "utf8");
  }
  const hp: LlamaHyperParameters = {
    name: config.name,
    contextLength: config.context_length,
    embeddingLength: config.embedding_length,
    blockCount: config.block_count,
    feedForwardLength: config.feed_forward_length,
    headCount: config.head_count,
    headCountKv: config.head_count_kv,
    ropeFreqBase: config.rope_freq_base,
    rmsNormEps: config.rms_norm_eps,
    vocabSize: config.vocab_size,
  };
  const tokenizer: LlamaTokenizer = {
    tokens: tok.tokens,
    scores: tok.scores,
    tokenTypes: tok.token_types,
    bosId: tok.bos_id,
    eosId: tok.eos_id,
    unkId: tok.unk_id,
    padId: tok.pad_id,
    ...(tok.add_space_prefix !== undefined ? { addSpacePrefix: tok.add_space_prefix } : {}),
  };
  let bytes: Buffer;
  try {
    const tensors = readSafetensors(readFileSync(weightsFile), weightsFile);
    bytes = buildLlamaGguf(hp, tokenizer, tensors, {
      weightType: options.weightType,
      ...(chatTemplate !== undefined ? { chatTemplate } : {}),
      license: options.license ?? config.license ?? DEFAULT_LICENSE,
    });
  } catch (error) {
    // The builder's and the reader's messages name the tensor, key or field at fault.
    throw new ExportError(`cannot export ${options.inDir}: ${(error as Error).message}`);
  }
  mkdirSync(path.dirname(path.resolve(options.outFile)), { recursive: true });
  const temporary = `${options.outFile}.${process.pid}.partial`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, options.outFile);
  return { file: options.outFile, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      in: { type: "string", default: "training/out/export" },
      out: { type: "string", default: "models/opus-mini.gguf" },
      type: { type: "string", default: "q8_0" },
      "chat-template": { type: "string" },
      license: { type: "string" },
      record: { type: "string" },
      provenance: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      "usage: npx tsx training/export-gguf.ts --in training/out/export --out models/opus-mini.gguf [--type q8_0|f16|f32] [--chat-template FILE] [--license SPDX]\n" +
        `  --license defaults to config.json's "license", else ${DEFAULT_LICENSE}`,
    );
    return;
  }
  const weightType = weightTypes[values.type.toLowerCase()];
  if (!weightType) throw new ExportError(`--type ${values.type}: expected one of ${Object.keys(weightTypes).join(", ")}`);
  const result = exportGguf({
    inDir: values.in,
    outFile: values.out,
    weightType,
    ...(values.license ? { license: values.license } : {}),
    ...(values["chat-template"] ? { chatTemplateFile: values["chat-template"] } : {}),
  });
  console.log(`wrote ${result.file}: ${result.bytes} bytes (${(result.bytes / 2 ** 20).toFixed(2)} MiB), sha256 ${result.sha256}`);
  if (values.record) {
    const recordFile = values.record;
    if (!existsSync(recordFile)) throw new ExportError(`--record ${recordFile}: no such file (run \`python3 training/train.py export\`)`);
    const provenanceFile = values.provenance ?? result.file.replace(/\.gguf$/, ".provenance.json");
    const record = JSON.parse(readFileSync(recordFile, "utf8")) as Record<string, unknown>;
    const provenance = {
      ...record,
      license: values.license ?? DEFAULT_LICENSE,
      file: { path: path.relative(path.dirname(provenanceFile), result.file), bytes: result.bytes, sha256: result.sha256, weight_type: weightType },
      exported_by: "training/export-gguf.ts (our GGUF writer, training/gguf/)",
    };
    writeFileSync(provenanceFile, JSON.stringify(provenance, null, 1) + "\n");
    console.log(`wrote ${provenanceFile}`);
  }
  console.log(JSON.stringify(result));
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof ExportError) && !(error instanceof TypeError && "code" in error)) throw error;
    console.error(`export-gguf: ${(error as Error).message}`);
    process.exitCode = 2;
  }
}
