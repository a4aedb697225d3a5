// The built-in offline embedding model: built from GloVe into a transformers.js model folder,
// read by transformers.js and by a raw onnxruntime session, and the configurable real-model path
// with its offline errors.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AutoTokenizer } from "@huggingface/transformers";
import * as ort from "onnxruntime-node";
import { beforeAll, describe, expect, it } from "vitest";
import { createEmbedder, EmbedderLoadError, type Embedder } from "../../gpu-node/knowledge/embedder.ts";
import { ensureStaticModel, STATIC_MODEL_NAME, STATIC_MODEL_VERSION, type StaticModel } from "../../gpu-node/knowledge/static-model/build-static-model.ts";
import { decodeOnnxModel } from "../../gpu-node/knowledge/static-model/onnx-proto.ts";
import { buildStaticEmbeddingOnnx, toFloat16 } from "../../gpu-node/knowledge/static-model/static-graph.ts";
import { wordpieceTokenizerDir } from "../support/models.ts";

let model: StaticModel;
let embedder: Embedder;

beforeAll(async () => {
  model = await ensureStaticModel();
  embedder = await createEmbedder();
});

const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i]!, 0);

/** IEEE 754 binary16 bits to a number (the test's own decoder, independent of the builder's encoder). */
function fromFloat16(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 31) return fraction ? Number.NaN : sign * Infinity;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

describe("the static model folder", () => {
  it("is built once and then reused from the cache", async () => {
    expect(model.manifest).toMatchObject({ name: STATIC_MODEL_NAME, version: STATIC_MODEL_VERSION, dimensions: 100, tableDtype: "float16" });
    expect(model.manifest.vocabularySize).toBeGreaterThan(300_000);
    const again = await ensureStaticModel();
    expect(again.manifest.builtAt).toBe(model.manifest.builtAt);
  });

  it("holds a valid ONNX graph: input_ids and attention_mask in, sentence_embedding out", () => {
    const onnx = decodeOnnxModel(readFileSync(path.join(model.dir, "onnx", "model.onnx"))) as {
      ir_version: number;
      opset_import: { version: number }[];
      graph: { input: { name: string }[]; output: { name: string }[]; node: { op_type: string }[]; initializer: { name: string; dims: number[]; data_type: number }[] };
    };
    expect(onnx.ir_version).toBe(8);
    expect(onnx.opset_import[0]!.version).toBe(17);
    expect(onnx.graph.input.map((i) => i.name)).toEqual(["input_ids", "attention_mask"]);
    expect(onnx.graph.output.map((o) => o.name)).toEqual(["sentence_embedding"]);
    expect(onnx.graph.node.map((n) => n.op_type).slice(0, 5)).toEqual(["Gather", "Cast", "Cast", "Unsqueeze", "Mul"]);
    const table = onnx.graph.initializer.find((t) => t.name === "token_table")!;
    expect(table.dims).toEqual([model.manifest.vocabularySize, 100]);
    expect(table.data_type).toBe(10);
  });

  it("has a WordLevel tokenizer that transformers.js loads: lowercase, accents stripped, unknown words to [UNK]", async () => {
    const tokenizer = await AutoTokenizer.from_pretrained(model.dir, { local_files_only: true });
    expect(tokenizer.tokenize("\u00A0\u00A0\u00A0\u00A0Théosis, the Trinity!")).toEqual(["theosis", ",", "the", "trinity", "!"]);
    const { input_ids } = tokenizer("Theosis xyzzyqq");
    const ids = Array.from(input_ids.data as BigInt64Array, Number);
    expect(ids[0]).toBeGreaterThan(1);
    expect(ids[1]).toBe(1);
    const vocab = JSON.parse(readFileSync(path.join(model.dir, "tokenizer.json"), "utf8")) as { model: { type: string; vocab: Record<string, number> } };
    expect(vocab.model.type).toBe("WordLevel");
    expect(vocab.model.vocab["the"]).toBe(2);
  });

  it("runs in a raw onnxruntime session: the normalised mean of the unmasked tokens' rows", async () => {
    const onnx = decodeOnnxModel(readFileSync(path.join(model.dir, "onnx", "model.onnx"))) as { graph: { initializer: { name: string; raw_data: Uint8Array }[] } };
    const raw = onnx.graph.initializer.find((t) => t.name === "token_table")!.raw_data;
    const halves = new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const row = (id: number) => Array.from(halves.subarray(id * 100, (id + 1) * 100), fromFloat16);
    const expected = [2, 3, 4].map(row).reduce((acc, r) => acc.map((x, d) => x + r[d]!));
    const norm = Math.hypot(...expected);

    const session = await ort.InferenceSession.create(path.join(model.dir, "onnx", "model.onnx"));
    const run = async (ids: bigint[][], mask: bigint[][]) => {
      const dims = [ids.length, ids[0]!.length];
      const out = await session.run({ input_ids: new ort.Tensor("int64", BigInt64Array.from(ids.flat()), dims), attention_mask: new ort.Tensor("int64", BigInt64Array.from(mask.flat()), dims) });
      return out.sentence_embedding!;
    };
    const padded = await run([[2n, 3n, 4n, 0n], [5n, 5n, 5n, 5n]], [[1n, 1n, 1n, 0n], [0n, 0n, 0n, 0n]]);
    expect(padded.dims).toEqual([2, 100]);
    const data = padded.data as Float32Array;
    data.slice(0, 100).forEach((x, d) => expect(x).toBeCloseTo(expected[d]! / norm, 5));
    // A row with nothing unmasked is the zero vector, not NaN.
    expect(Array.from(data.slice(100))).toEqual(new Array(100).fill(0));
    const unpadded = await run([[2n, 3n, 4n]], [[1n, 1n, 1n]]);
    Array.from(unpadded.data as Float32Array).forEach((x, d) => expect(x).toBeCloseTo(data[d]!, 6));
    await session.release();
  });

  it("converts float32 to float16 bit patterns exactly", () => {
    expect(Array.from(toFloat16(Float32Array.from([1, -2, 0.5, 65504, 1e6, 0, 1e-8, 2 ** -24, 0.1])))).toEqual([
      0x3c00, 0xc000, 0x3800, 0x7bff, 0x7c00, 0, 0, 0x0001, 0x2e66,
    ]);
  });
});

describe("the embedder", () => {
  it("names its vector space and gives unit vectors", async () => {
    expect(embedder.id).toBe(`${STATIC_MODEL_NAME}@${STATIC_MODEL_VERSION}+glove-1.1.0`);
    expect(embedder.dimensions).toBe(100);
    const [v] = await embedder.embed(["The Holy Trinity is one God in three persons."]);
    expect(Math.hypot(...v!)).toBeCloseTo(1, 5);
  });

  it("places paraphrases closer than unrelated sentences", async () => {
    const [a, paraphrase, unrelated, alsoUnrelated] = await embedder.embed([
      "Theosis is the participation of the human person in the uncreated energies of God, by grace and not by nature.",
      "Deification means that man shares in the divine energies through grace, while the divine essence remains beyond participation.",
      "Icons are venerated in the Orthodox Church because the Son of God became visible in the flesh.",
      "The council of Nicaea condemned Arius and confessed the Son consubstantial with the Father.",
    ]);
    expect(dot(a!, paraphrase!)).toBeGreaterThan(dot(a!, unrelated!) + 0.2);
    expect(dot(a!, paraphrase!)).toBeGreaterThan(dot(a!, alsoUnrelated!) + 0.2);
  });

  it("embeds the same text the same way alone or in a padded batch", async () => {
    const text = "Hesychasm is a tradition of inner stillness and unceasing prayer.";
    const [alone] = await embedder.embed([text]);
    const [batched] = await embedder.embed([text, `${text} ${text} And a much longer companion sentence to force padding.`]);
    expect(Array.from(batched!).map((x) => +x.toFixed(5))).toEqual(Array.from(alone!).map((x) => +x.toFixed(5)));
  });

  it("gives the zero vector to a text with no known word", async () => {
    const [v] = await embedder.embed(["xyzzyqq qqqzzzy"]);
    expect(v!.every((x) => x === 0)).toBe(true);
  });
});

describe("a model that leaves pooling to transformers.js", () => {
  it("embeds like the in-graph pooling: the same table with a per-token output, mean-pooled by transformers.js", async () => {
    // The layout of most transformer exports (last_hidden_state only), built from the same table.
    const onnx = decodeOnnxModel(readFileSync(path.join(model.dir, "onnx", "model.onnx"))) as { graph: { initializer: { name: string; raw_data: Uint8Array }[] } };
    const raw = onnx.graph.initializer.find((t) => t.name === "token_table")!.raw_data;
    const table = new Uint16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const dir = mkdtempSync(path.join(os.tmpdir(), "opus-per-token-model-"));
    try {
      mkdirSync(path.join(dir, "onnx"));
      writeFileSync(
        path.join(dir, "onnx", "model.onnx"),
        buildStaticEmbeddingOnnx({ table, rows: table.length / 100, dims: 100, float16: true, output: "last_hidden_state", producerVersion: "test", metadata: {} }),
      );
      for (const file of ["config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]) symlinkSync(path.join(model.dir, file), path.join(dir, file));
      const perToken = await createEmbedder({ model: dir, pooling: "mean" });
      const texts = ["The Theotokos is honoured as the Mother of God.", "Short text.", "xyzzyqq"];
      const [a, b] = [await embedder.embed(texts), await perToken.embed(texts)];
      a.forEach((v, i) => v.forEach((x, d) => expect(b[i]![d]!).toBeCloseTo(x, 5)));
      await perToken.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a configured real model", () => {
  it("fails offline with an error naming the model, the cache and the fix", async () => {
    const attempt = createEmbedder({ model: "Xenova/all-MiniLM-L6-v2", allowRemote: false, cacheDir: path.join(model.dir, "..", "no-such-cache") });
    await expect(attempt).rejects.toBeInstanceOf(EmbedderLoadError);
    await expect(createEmbedder({ model: "Xenova/all-MiniLM-L6-v2", allowRemote: false })).rejects.toThrow(
      /Xenova\/all-MiniLM-L6-v2.*downloads are off.*embedder\.model/s,
    );
  });

  it("refuses a local folder without weights, naming the missing file; its tokenizer loads", async () => {
    await expect(createEmbedder({ model: wordpieceTokenizerDir })).rejects.toThrow(/missing onnx\/model\.onnx/);
    const tokenizer = await AutoTokenizer.from_pretrained(wordpieceTokenizerDir, { local_files_only: true });
    expect(tokenizer.tokenize("the uncreated energies")).toEqual(["the", "un", "##cre", "##ated", "energies"]);
  });
});
