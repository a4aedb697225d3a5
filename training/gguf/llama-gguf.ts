// A llama-architecture GGUF from hyper-parameters, a SentencePiece-style tokenizer and named float32
// tensors (already under GGUF names, in torch's row-major shapes). The keys and types are those
// llama.cpp's loader reads for LLM_ARCH_LLAMA and a "llama" (SPM) vocabulary. Without output.weight
// the embeddings are tied: llama.cpp uses token_embd for the output.
import { encodeGguf, gguf, type GgmlTensorType, type GgufMetadataValue, type GgufTensor } from "./gguf-writer.ts";
import { Q8_0_BLOCK_VALUES } from "./q8_0.ts";

export interface LlamaHyperParameters {
  name: string;
  contextLength: number;
  embeddingLength: number;
  blockCount: number;
  feedForwardLength: number;
  headCount: number;
  headCountKv: number;
  ropeFreqBase: number;
  rmsNormEps: number;
  vocabSize: number;
}

/** token types as GGUF stores them. */
export const llamaTokenType = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export interface LlamaTokenizer {
  tokens: readonly string[];
  scores: readonly number[];
  /** One of llamaTokenType per token. */
  tokenTypes: readonly number[];
  bosId: number;
  eosId: number;
  unkId: number;
  /** -1 when there is no padding token. */
  padId: number;
  /** SentencePiece's add_dummy_prefix; llama.cpp assumes true when absent. */
  addSpacePrefix?: boolean;
}

export interface NamedTensor {
  /** torch order: [rows, cols] for a matrix. */
  shape: readonly number[];
  data: Float32Array;
}

export type LlamaWeightType = "Q8_0" | "F16" | "F32";

export interface LlamaGgufOptions {
  /** Encoding of the 2-D weights; norms stay F32. Q8_0 falls back to F16 where ne0 is not a multiple of 32. */
  weightType?: LlamaWeightType;
  /** A Jinja chat template, written as tokenizer.chat_template. */
  chatTemplate?: string;
  /** An SPDX licence expression, written as general.license. */
  license?: string;
}

// llama_ftype values for general.file_type.
const fileTypeOf: Record<LlamaWeightType, number> = { F32: 0, F16: 1, Q8_0: 7 };
const OUTPUT = "output.weight";

/** The torch shape of every tensor the llama architecture needs (output.weight is optional: tied). */
export function llamaTensorShapes(hp: LlamaHyperParameters): Map<string, number[]> {
  const dim = hp.embeddingLength;
  const kvDim = (dim / hp.headCount) * hp.headCountKv;
  const hidden = hp.feedForwardLength;
  const shapes = new Map<string, number[]>([["token_embd.weight", [hp.vocabSize, dim]]]);
  for (let i = 0; i < hp.blockCount; i++) {
    const blk = `blk.${i}`;
    shapes.set(`${blk}.attn_norm.weight`, [dim]);
    shapes.set(`${blk}.attn_q.weight`, [dim, dim]);
    shapes.set(`${blk}.attn_k.weight`, [kvDim, dim]);
    shapes.set(`${blk}.attn_v.weight`, [kvDim, dim]);
    shapes.set(`${blk}.attn_output.weight`, [dim, dim]);
    shapes.set(`${blk}.ffn_norm.weight`, [dim]);
    shapes.set(`${blk}.ffn_gate.weight`, [hidden, dim]);
    shapes.set(`${blk}.ffn_up.weight`, [hidden, dim]);
    shapes.set(`${blk}.ffn_down.weight`, [dim, hidden]);
  }
  shapes.set("output_norm.weight", [dim]);
  return shapes;
}

function checkHyperParameters(hp: LlamaHyperParameters): void {
  const counts = ["contextLength", "embeddingLength", "blockCount", "feedForwardLength", "headCount", "headCountKv", "vocabSize"] as const;
  for (const key of counts) {
    if (!Number.isSafeInteger(hp[key]) || hp[key] <= 0) throw new Error(`hyper-parameter ${key} must be a positive integer, got ${hp[key]}`);
  }
  if (hp.embeddingLength % hp.headCount !== 0) throw new Error(`embeddingLength ${hp.embeddingLength} is not a multiple of headCount ${hp.headCount}`);
  if ((hp.embeddingLength / hp.headCount) % 2 !== 0) throw new Error(`the head size ${hp.embeddingLength / hp.headCount} must be even for RoPE`);
  if (hp.headCount % hp.headCountKv !== 0) throw new Error(`headCount ${hp.headCount} is not a multiple of headCountKv ${hp.headCountKv}`);
  if (!(hp.ropeFreqBase > 0)) throw new Error(`ropeFreqBase must be positive, got ${hp.ropeFreqBase}`);
  if (!(hp.rmsNormEps > 0)) throw new Error(`rmsNormEps must be positive, got ${hp.rmsNormEps}`);
}

function checkTokenizer(tokenizer: LlamaTokenizer, vocabSize: number): void {
  const { tokens, scores, tokenTypes } = tokenizer;
  if (tokens.length !== vocabSize) throw new Error(`the tokenizer has ${tokens.length} tokens, the model's vocabSize is ${vocabSize}`);
  if (scores.length !== tokens.length || tokenTypes.length !== tokens.length) {
    throw new Error(`tokens (${tokens.length}), scores (${scores.length}) and token types (${tokenTypes.length}) must be as many`);
  }
  const seen = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (seen.has(t)) throw new Error(`token ${JSON.stringify(t)} appears twice (ids ${seen.get(t)} and ${i})`);
    seen.set(t, i);
  });
  tokenTypes.forEach((type, i) => {
    if (!Number.isInteger(type) || type < 1 || type > 6) throw new Error(`token ${i} has type ${type}; GGUF token types are 1 to 6`);
  });
  scores.forEach((s, i) => {
    if (!Number.isFinite(s)) throw new Error(`token ${i} has a score of ${s}`);
  });
  for (const [name, id] of [["bosId", tokenizer.bosId], ["eosId", tokenizer.eosId], ["unkId", tokenizer.unkId]] as const) {
    if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new Error(`${name} ${id} is not a token id (0 to ${vocabSize - 1})`);
  }
  if (!Number.isInteger(tokenizer.padId) || tokenizer.padId < -1 || tokenizer.padId >= vocabSize) throw new Error(`padId ${tokenizer.padId} is not a token id or -1`);
}

function checkTensors(hp: LlamaHyperParameters, tensors: ReadonlyMap<string, NamedTensor>): void {
  const expected = llamaTensorShapes(hp);
  const missing = [...expected.keys()].filter((name) => !tensors.has(name));
  if (missing.length > 0) throw new Error(`missing tensors: ${missing.join(", ")}`);
  const unknown = [...tensors.keys()].filter((name) => !expected.has(name) && name !== OUTPUT);
  if (unknown.length > 0) throw new Error(`tensors the llama architecture has no place for: ${unknown.join(", ")}`);
  expected.set(OUTPUT, [hp.vocabSize, hp.embeddingLength]);
  for (const [name, tensor] of tensors) {
    const shape = expected.get(name)!;
    if (tensor.shape.length !== shape.length || tensor.shape.some((d, i) => d !== shape[i])) {
      throw new Error(`tensor ${name} has shape [${tensor.shape.join(", ")}], the hyper-parameters give [${shape.join(", ")}]`);
    }
    if (tensor.data.length !== shape.reduce((a, b) => a * b, 1)) throw new Error(`tensor ${name} has ${tensor.data.length} values for shape [${shape.join(", ")}]`);
    const bad = tensor.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`tensor ${name} holds ${tensor.data[bad]} at index ${bad}`);
  }
}

/** The encoding of one tensor: norms F32; matrices the chosen type, F16 where Q8_0 cannot block ne0. */
export function llamaTensorType(shape: readonly number[], weightType: LlamaWeightType): GgmlTensorType {
  if (shape.length === 1) return "F32";
  const ne0 = shape[shape.length - 1]!;
  if (weightType === "Q8_0" && ne0 % Q8_0_BLOCK_VALUES !== 0) return "F16";
  return weightType;
}

function tokenizerMetadata(tokenizer: LlamaTokenizer): Record<string, GgufMetadataValue> {
  const out: Record<string, GgufMetadataValue> = {
    "tokenizer.ggml.model": gguf.string("llama"),
    "tokenizer.ggml.tokens": gguf.stringArray(tokenizer.tokens),
    "tokenizer.ggml.scores": gguf.f32Array(tokenizer.scores),
    "tokenizer.ggml.token_type": gguf.i32Array(tokenizer.tokenTypes),
    "tokenizer.ggml.bos_token_id": gguf.u32(tokenizer.bosId),
    "tokenizer.ggml.eos_token_id": gguf.u32(tokenizer.eosId),
    "tokenizer.ggml.unknown_token_id": gguf.u32(tokenizer.unkId),
  };
  if (tokenizer.padId >= 0) out["tokenizer.ggml.padding_token_id"] = gguf.u32(tokenizer.padId);
  out["tokenizer.ggml.add_bos_token"] = gguf.bool(true);
  out["tokenizer.ggml.add_eos_token"] = gguf.bool(false);
  if (tokenizer.addSpacePrefix !== undefined) out["tokenizer.ggml.add_space_prefix"] = gguf.bool(tokenizer.addSpacePrefix);
  return out;
}

/** Encodes the model as a GGUF file (in memory). */
export function buildLlamaGguf(hp: LlamaHyperParameters, tokenizer: LlamaTokenizer, tensors: ReadonlyMap<string, NamedTensor>, options: LlamaGgufOptions = {}): Buffer {
  const weightType = options.weightType ?? "Q8_0";
  if (!(weightType in fileTypeOf)) throw new Error(`weight type ${String(weightType)}: expected Q8_0, F16 or F32`);
  checkHyperParameters(hp);
  checkTokenizer(tokenizer, hp.vocabSize);
  checkTensors(hp, tensors);

  const order = [...llamaTensorShapes(hp).keys(), ...(tensors.has(OUTPUT) ? [OUTPUT] : [])];
  const ggufTensors: GgufTensor[] = order.map((name) => {
    const { shape, data } = tensors.get(name)!;
    return { name, dims: [...shape].reverse(), type: llamaTensorType(shape, weightType), data };
  });

  const metadata: Record<string, GgufMetadataValue> = {
    "general.architecture": gguf.string("llama"),
    "general.name": gguf.string(hp.name),
  };
  if (options.license) metadata["general.license"] = gguf.string(options.license);
  metadata["general.file_type"] = gguf.u32(fileTypeOf[weightType]);
  if (ggufTensors.some((t) => t.type === "Q8_0")) metadata["general.quantization_version"] = gguf.u32(2);
  Object.assign(metadata, {
    "llama.context_length": gguf.u32(hp.contextLength),
    "llama.embedding_length": gguf.u32(hp.embeddingLength),
    "llama.block_count": gguf.u32(hp.blockCount),
    "llama.feed_forward_length": gguf.u32(hp.feedForwardLength),
    // Rotary on the whole head, in the interleaved-pairs form of llama.cpp's LLAMA rope type.
    "llama.rope.dimension_count": gguf.u32(hp.embeddingLength / hp.headCount),
    "llama.attention.head_count": gguf.u32(hp.headCount),
    "llama.attention.head_count_kv": gguf.u32(hp.headCountKv),
    "llama.attention.layer_norm_rms_epsilon": gguf.f32(hp.rmsNormEps),
    "llama.rope.freq_base": gguf.f32(hp.ropeFreqBase),
    "llama.vocab_size": gguf.u32(hp.vocabSize),
  });
  Object.assign(metadata, tokenizerMetadata(tokenizer));
  if (options.chatTemplate !== undefined) metadata["tokenizer.chat_template"] = gguf.string(options.chatTemplate);
  return encodeGguf({ metadata, tensors: ggufTensors });
}
