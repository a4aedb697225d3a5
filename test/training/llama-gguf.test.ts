// buildLlamaGguf's choices that the export test does not reach, and its refusals of inconsistent input.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GgmlType, readGgufFileInfo } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { buildLlamaGguf, llamaTensorType, type LlamaHyperParameters, type LlamaTokenizer } from "../../training/gguf/llama-gguf.ts";
import { randomLlamaTensors } from "../support/random-llama.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "opus-llama-gguf-"));
const bytesOnly = ["<unk>", "<s>", "</s>", "<pad>", ...Array.from({ length: 256 }, (_, b) => `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`)];
const tokenizer: LlamaTokenizer = {
  tokens: bytesOnly,
  scores: bytesOnly.map(() => 0),
  tokenTypes: bytesOnly.map((_, i) => (i === 0 ? 2 : i < 4 ? 3 : 6)),
  unkId: 0,
  bosId: 1,
  eosId: 2,
  padId: 3,
  addSpacePrefix: false,
};
const hp: LlamaHyperParameters = {
  name: "unit",
  contextLength: 128,
  embeddingLength: 32,
  blockCount: 1,
  feedForwardLength: 64,
  headCount: 2,
  headCountKv: 2,
  ropeFreqBase: 10000,
  rmsNormEps: 1e-6,
  vocabSize: bytesOnly.length,
};
const tensors = randomLlamaTensors(hp, tokenizer, 1);

describe("buildLlamaGguf", () => {
  it("writes F16 models without a quantization version, and the optional tokenizer keys", async () => {
    const file = path.join(dir, "f16.gguf");
    writeFileSync(file, buildLlamaGguf(hp, tokenizer, tensors, { weightType: "F16" }));
    const info = await readGgufFileInfo(file);
    expect(info.metadata.general.file_type).toBe(1);
    expect("quantization_version" in info.metadata.general).toBe(false);
    expect("license" in info.metadata.general).toBe(false);
    expect(info.metadata.tokenizer.ggml).toMatchObject({ padding_token_id: 3, add_space_prefix: false });
    expect(info.tensorInfo!.filter((t) => t.ggmlType === GgmlType.F16).length).toBe(8);
    expect(info.tensorInfo!.filter((t) => t.ggmlType === GgmlType.F32).map((t) => t.name)).toEqual(["blk.0.attn_norm.weight", "blk.0.ffn_norm.weight", "output_norm.weight"]);
  });

  it("keeps an untied output.weight when there is one", async () => {
    const untied = new Map(tensors).set("output.weight", { shape: [hp.vocabSize, 32], data: new Float32Array(hp.vocabSize * 32) });
    const file = path.join(dir, "untied.gguf");
    writeFileSync(file, buildLlamaGguf(hp, tokenizer, untied));
    const info = await readGgufFileInfo(file);
    expect(info.tensorInfo!.find((t) => t.name === "output.weight")).toMatchObject({ ggmlType: GgmlType.Q8_0 });
  });

  it("chooses each tensor's encoding from its shape", () => {
    expect(llamaTensorType([64], "Q8_0")).toBe("F32");
    expect(llamaTensorType([80, 64], "Q8_0")).toBe("Q8_0");
    expect(llamaTensorType([64, 80], "Q8_0")).toBe("F16");
    expect(llamaTensorType([64, 80], "F32")).toBe("F32");
  });

  it("refuses inconsistent input, naming it", () => {
    const build = (over: { hp?: Partial<LlamaHyperParameters>; tokenizer?: Partial<LlamaTokenizer> }) => () =>
      buildLlamaGguf({ ...hp, ...over.hp }, { ...tokenizer, ...over.tokenizer }, tensors);
    expect(build({ hp: { headCount: 3 } })).toThrow(/embeddingLength 32 is not a multiple of headCount 3/);
    expect(build({ hp: { headCountKv: 3 } })).toThrow(/headCount 2 is not a multiple of headCountKv 3/);
    expect(build({ hp: { vocabSize: 300 } })).toThrow(/the tokenizer has 260 tokens, the model's vocabSize is 300/);
    expect(build({ tokenizer: { tokens: [...bytesOnly.slice(0, 259), "<s>"] } })).toThrow(/token "<s>" appears twice \(ids 1 and 259\)/);
    expect(build({ tokenizer: { eosId: 260 } })).toThrow(/eosId 260 is not a token id/);
    expect(build({ tokenizer: { tokenTypes: bytesOnly.map(() => 7) } })).toThrow(/token 0 has type 7/);
    const nan = new Map(tensors).set("blk.0.ffn_norm.weight", { shape: [32], data: new Float32Array(32).fill(Number.NaN) });
    expect(() => buildLlamaGguf(hp, tokenizer, nan)).toThrow(/tensor blk\.0\.ffn_norm\.weight holds NaN at index 0/);
    const extra = new Map(tensors).set("blk.0.attn_q.bias", { shape: [32], data: new Float32Array(32) });
    expect(() => buildLlamaGguf(hp, tokenizer, extra)).toThrow(/no place for: blk\.0\.attn_q\.bias/);
  });
});
