// training/export-gguf.ts end to end: an export folder laid out as training/train.py writes it
// (safetensors of torch-shaped F32 tensors, tokenizer.json, config.json) becomes a GGUF that
// llama.cpp loads and runs with the same logits as a plain reference forward pass over those weights.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { getLlama, GgmlType, readGgufFileInfo, type ControlledEvaluateInputItem, type Llama, type Token } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportGguf } from "../../training/export-gguf.ts";
import type { LlamaHyperParameters, NamedTensor } from "../../training/gguf/llama-gguf.ts";
import { repoRoot } from "../support/paths.ts";
import { randomLlamaTensors, randomLlamaTokenizer } from "../support/random-llama.ts";
import { referenceLogits } from "./llama-reference.ts";

const run = promisify(execFile);
const script = path.join(repoRoot, "training", "export-gguf.ts");
const work = mkdtempSync(path.join(os.tmpdir(), "opus-export-gguf-"));

const tokenizer = randomLlamaTokenizer();
// ffn_down's ne0 is the hidden size, 80: not whole Q8_0 blocks, so it takes the F16 fallback.
const hp: LlamaHyperParameters = {
  name: "export-test",
  contextLength: 256,
  embeddingLength: 64,
  blockCount: 2,
  feedForwardLength: 80,
  headCount: 4,
  headCountKv: 2,
  ropeFreqBase: 10000,
  rmsNormEps: 1e-5,
  vocabSize: tokenizer.tokens.length,
};
const weights = randomLlamaTensors(hp, tokenizer, 99);
// Norm weights away from 1, so a norm read wrongly (or not at all) changes the logits.
for (const [name, t] of weights) if (t.shape.length === 1) t.data.forEach((_, i) => (t.data[i] = 1 + 0.3 * Math.sin(i + name.length)));

/** The test's own safetensors encoder, laid out as train.py's write_safetensors. */
function encodeSafetensors(tensors: ReadonlyMap<string, NamedTensor>): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: "opus-llama" } };
  let offset = 0;
  for (const [name, t] of tensors) {
    header[name] = { dtype: "F32", shape: t.shape, data_offsets: [offset, offset + t.data.length * 4] };
    offset += t.data.length * 4;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - (json.length % 8)) % 8);
  const out = Buffer.alloc(8 + json.length + offset);
  out.writeBigUInt64LE(BigInt(json.length), 0);
  out.write(json, 8, "utf8");
  let at = 8 + json.length;
  for (const t of tensors.values()) for (const v of t.data) at = out.writeFloatLE(v, at);
  return out;
}

function writeExportFolder(dir: string, tensors: ReadonlyMap<string, NamedTensor> = weights, config: Record<string, unknown> = {}): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "weights.safetensors"), encodeSafetensors(tensors));
  writeFileSync(
    path.join(dir, "tokenizer.json"),
    JSON.stringify({ model: "llama", tokens: tokenizer.tokens, scores: tokenizer.scores, token_types: tokenizer.tokenTypes, bos_id: 1, eos_id: 2, unk_id: 0, pad_id: -1 }),
  );
  writeFileSync(
    path.join(dir, "config.json"),
    JSON.stringify({
      name: hp.name,
      context_length: hp.contextLength,
      embedding_length: hp.embeddingLength,
      block_count: hp.blockCount,
      feed_forward_length: hp.feedForwardLength,
      head_count: hp.headCount,
      head_count_kv: hp.headCountKv,
      rope_freq_base: hp.ropeFreqBase,
      rms_norm_eps: hp.rmsNormEps,
      vocab_size: hp.vocabSize,
      ...config,
    }),
  );
  return dir;
}

const exportDir = writeExportFolder(path.join(work, "export"));
const prompt = [1, 400, 1200, 77, 2000, 900] as Token[];
let llama: Llama;

beforeAll(async () => {
  llama = await getLlama({ gpu: false, build: "never" });
});

afterAll(async () => {
  await llama?.dispose();
});

async function llamaCppLogits(modelPath: string): Promise<Float64Array> {
  const model = await llama.loadModel({ modelPath });
  try {
    const context = await model.createContext({ contextSize: 64, threads: 1 });
    const input: ControlledEvaluateInputItem[] = prompt.map((t, i) => (i === prompt.length - 1 ? [t, { generateNext: { logits: true } }] : t));
    const [last] = (await context.getSequence().controlledEvaluate(input)).slice(-1);
    const logits = last!.next.logits!;
    await context.dispose();
    return Float64Array.from({ length: hp.vocabSize }, (_, t) => logits.get(t as Token)!);
  } finally {
    await model.dispose();
  }
}

const maxAbsDiff = (a: Float64Array, b: Float64Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
const argmax = (a: Float64Array) => a.indexOf(Math.max(...a));
const expected = referenceLogits(hp, weights, prompt);

describe("export-gguf", () => {
  it("writes an F32 model on which llama.cpp computes the reference forward pass's logits", async () => {
    const out = path.join(work, "f32", "model.gguf");
    const { stdout } = await run(process.execPath, ["--import", "tsx", script, "--in", exportDir, "--out", out, "--type", "f32"], { cwd: repoRoot });
    const bytes = readFileSync(out);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    expect(stdout).toContain(`${bytes.length} bytes`);
    expect(stdout).toContain(`sha256 ${sha256}`);
    expect(JSON.parse(stdout.trim().split("\n").pop()!)).toEqual({ file: out, bytes: bytes.length, sha256 });

    const actual = await llamaCppLogits(out);
    // llama.cpp keeps the KV cache in F16, hence a small tolerance; a transposed or misnamed tensor is off by whole units.
    expect(maxAbsDiff(actual, expected)).toBeLessThan(0.02);
    expect(argmax(actual)).toBe(argmax(expected));
  });

  it("writes Q8_0 by default: norms F32, F16 where ne0 is not whole blocks, the llama and tokenizer keys", async () => {
    const template = path.join(work, "chat.jinja");
    writeFileSync(template, "{% for m in messages %}{{ m.content }}{% endfor %}");
    const out = path.join(work, "q8", "model.gguf");
    const result = exportGguf({ inDir: exportDir, outFile: out, weightType: "Q8_0", chatTemplateFile: template });
    expect(result.sha256).toBe(createHash("sha256").update(readFileSync(out)).digest("hex"));

    const info = await readGgufFileInfo(out);
    const types = new Map(info.tensorInfo!.map((t) => [t.name, t.ggmlType]));
    expect(types.get("blk.0.attn_norm.weight")).toBe(GgmlType.F32);
    expect(types.get("output_norm.weight")).toBe(GgmlType.F32);
    expect(types.get("token_embd.weight")).toBe(GgmlType.Q8_0);
    expect(types.get("blk.1.ffn_gate.weight")).toBe(GgmlType.Q8_0);
    expect(types.get("blk.1.ffn_down.weight")).toBe(GgmlType.F16);
    expect(types.has("output.weight")).toBe(false);
    expect(info.tensorInfo!.find((t) => t.name === "blk.0.attn_k.weight")!.dimensions.map(Number)).toEqual([64, 32]);

    const md = info.metadata;
    expect(md.general).toMatchObject({ architecture: "llama", name: "export-test", license: "MIT", file_type: 7, quantization_version: 2 });
    expect(md.llama).toMatchObject({
      context_length: 256,
      embedding_length: 64,
      block_count: 2,
      feed_forward_length: 80,
      vocab_size: hp.vocabSize,
      rope: { dimension_count: 16, freq_base: 10000 },
      attention: { head_count: 4, head_count_kv: 2, layer_norm_rms_epsilon: Math.fround(1e-5) },
    });
    expect(md.tokenizer.ggml).toMatchObject({ model: "llama", bos_token_id: 1, eos_token_id: 2, unknown_token_id: 0, add_bos_token: true, add_eos_token: false });
    expect(md.tokenizer.ggml.tokens).toEqual(tokenizer.tokens);
    expect(md.tokenizer.ggml.token_type).toEqual(tokenizer.tokenTypes);
    expect("padding_token_id" in md.tokenizer.ggml).toBe(false);
    expect(md.tokenizer.chat_template).toBe("{% for m in messages %}{{ m.content }}{% endfor %}");

    // Quantized weights move the logits a little, not the model's choice.
    const actual = await llamaCppLogits(out);
    expect(maxAbsDiff(actual, expected)).toBeLessThan(0.3);
    expect(argmax(actual)).toBe(argmax(expected));
  });

  it("names what to fix: a missing folder, a bad option, a field or a tensor", async () => {
    const missing = path.join(work, "nothing-here");
    const failed = await run(process.execPath, ["--import", "tsx", script, "--in", missing, "--out", path.join(work, "x.gguf")], { cwd: repoRoot }).catch((e: { code: number; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 2 });
    expect((failed as { stderr: string }).stderr).toMatch(/export-gguf: .*nothing-here.config\.json is missing: run `python3 training\/train.py export` first/);

    const badType = await run(process.execPath, ["--import", "tsx", script, "--in", exportDir, "--type", "q4"], { cwd: repoRoot }).catch((e: { code: number; stderr: string }) => e);
    expect(badType).toMatchObject({ code: 2 });
    expect((badType as { stderr: string }).stderr).toContain("--type q4: expected one of q8_0, f16, f32");

    const badConfig = writeExportFolder(path.join(work, "bad-config"), weights, { head_count: 0 });
    expect(() => exportGguf({ inDir: badConfig, outFile: path.join(work, "y.gguf"), weightType: "Q8_0" })).toThrow(/config\.json is not as expected:[\s\S]*head_count/);

    const wrong = new Map(weights);
    wrong.set("blk.1.attn_q.weight", { shape: [32, 64], data: new Float32Array(32 * 64) });
    const badShape = writeExportFolder(path.join(work, "bad-shape"), wrong);
    expect(() => exportGguf({ inDir: badShape, outFile: path.join(work, "z.gguf"), weightType: "Q8_0" })).toThrow(
      /tensor blk\.1\.attn_q\.weight has shape \[32, 64\], the hyper-parameters give \[64, 64\]/,
    );
    const noNorm = new Map(weights);
    noNorm.delete("output_norm.weight");
    expect(() => exportGguf({ inDir: writeExportFolder(path.join(work, "no-norm"), noNorm), outFile: path.join(work, "w.gguf"), weightType: "F16" })).toThrow(
      /missing tensors: output_norm\.weight/,
    );
  });
});
