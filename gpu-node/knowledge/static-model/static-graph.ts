// The ONNX graph of a static (bag-of-tokens) embedding model:
//   token_vectors      = float(table[input_ids]) * float(attention_mask)[..., None]     [B, T, D]
//   sentence_embedding = l2_normalize(sum_t token_vectors / sum_t attention_mask)        [B, D]
// Inputs carry the names transformers.js gives an encoder (input_ids, attention_mask); the output
// is the pooled, normalised `sentence_embedding`, as in sentence-transformers ONNX exports with
// their Pooling and Normalize modules built in. Pooling in the graph, and returning no per-token
// tensor, matter for a model this small: measured on this project's corpus, transformers.js's
// JavaScript mean pooling ran at 0.34 of a raw session's throughput and copying out the per-token
// tensor cost three times the lookup itself (bench/embeddings.ts, docs/knowledge.md).
// A text with no known token pools to the zero vector, not NaN.
import { encodeOnnxModel, OnnxAttributeType, OnnxDataType, type OnnxTensor } from "./onnx-proto.ts";

export interface StaticGraphOptions {
  /** rows x dims token table, row-major: float32 values, or float16 bit patterns already converted. */
  table: Float32Array | Uint16Array;
  rows: number;
  dims: number;
  /** Store the table as float16 (half the file) and cast to float32 after the lookup. */
  float16: boolean;
  /**
   * "sentence_embedding" (default): pooled and normalised in the graph. "last_hidden_state": the
   * masked per-token vectors only, for pooling outside (the layout of most transformer exports).
   */
  output?: "sentence_embedding" | "last_hidden_state";
  producerVersion: string;
  metadata: Record<string, string>;
}

/** ONNX opset 17 (ONNX 1.12) is read by every onnxruntime since 1.12. */
const OPSET = 17;
const IR_VERSION = 8;

/** IEEE 754 binary16 bits of float32 bits `x`, rounding to nearest even. */
export function float32BitsToFloat16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exponent = (x >>> 23) & 0xff;
  let mantissa = x & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - e;
    let half = mantissa >>> shift;
    const rest = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rest > halfway || (rest === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mantissa >>> 13);
  const rest = mantissa & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** Float32 values as IEEE 754 binary16 bit patterns (Node 20 has no Float16Array). */
export function toFloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const halves = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) halves[i] = float32BitsToFloat16Bits(bits[i]!);
  return halves;
}

function tableTensor(options: StaticGraphOptions): OnnxTensor {
  const { table, rows, dims, float16 } = options;
  if (table.length !== rows * dims) throw new Error(`token table has ${table.length} values, expected ${rows} x ${dims}`);
  if (table instanceof Uint16Array) {
    if (!float16) throw new Error("a float16 token table needs float16: true");
    return { name: "token_table", dims: [rows, dims], data_type: OnnxDataType.FLOAT16, raw_data: new Uint8Array(table.buffer, table.byteOffset, table.byteLength) };
  }
  if (!float16) {
    return { name: "token_table", dims: [rows, dims], data_type: OnnxDataType.FLOAT, raw_data: new Uint8Array(table.buffer, table.byteOffset, table.byteLength) };
  }
  const halves = toFloat16(table);
  // ONNX raw_data is little-endian; so is every platform onnxruntime-node ships for.
  return { name: "token_table", dims: [rows, dims], data_type: OnnxDataType.FLOAT16, raw_data: new Uint8Array(halves.buffer) };
}

export function buildStaticEmbeddingOnnx(options: StaticGraphOptions): Uint8Array {
  const perToken = options.output === "last_hidden_state";
  const int64 = (name: string, values: bigint[]): OnnxTensor => ({ name, dims: [values.length], data_type: OnnxDataType.INT64, raw_data: new Uint8Array(new BigInt64Array(values).buffer) });
  const float = (name: string, value: number): OnnxTensor => ({ name, dims: [], data_type: OnnxDataType.FLOAT, raw_data: new Uint8Array(new Float32Array([value]).buffer) });
  const cast = (name: string, input: string, output: string) => ({ name, op_type: "Cast", input: [input], output: [output], attribute: [{ name: "to", type: OnnxAttributeType.INT, i: OnnxDataType.FLOAT }] });
  const op = (op_type: string, input: string[], output: string) => ({ name: output, op_type, input, output: [output] });
  const reduceSum = (input: string, axes: string, output: string, keepdims: number) => ({
    name: output,
    op_type: "ReduceSum",
    input: [input, axes],
    output: [output],
    attribute: [{ name: "keepdims", type: OnnxAttributeType.INT, i: keepdims }],
  });
  return encodeOnnxModel({
    irVersion: IR_VERSION,
    opset: OPSET,
    producerName: "opus",
    producerVersion: options.producerVersion,
    docString: "Static bag-of-tokens sentence embedding: a token table looked up per token, masked, mean-pooled and L2-normalised (sentence_embedding).",
    graphName: "static_embedding",
    initializers: [tableTensor(options), int64("last_axis", [-1n]), ...(perToken ? [] : [int64("token_axis", [1n]), float("tiny", 1e-12)])],
    nodes: [
      { name: "lookup", op_type: "Gather", input: ["token_table", "input_ids"], output: ["looked_up"], attribute: [{ name: "axis", type: OnnxAttributeType.INT, i: 0 }] },
      options.float16 ? cast("widen", "looked_up", "token_vectors") : op("Identity", ["looked_up"], "token_vectors"),
      cast("mask_float", "attention_mask", "mask_f"),
      op("Unsqueeze", ["mask_f", "last_axis"], "mask_3d"),
      ...(perToken
        ? [op("Mul", ["token_vectors", "mask_3d"], "last_hidden_state")]
        : [
            op("Mul", ["token_vectors", "mask_3d"], "masked_vectors"),
            reduceSum("masked_vectors", "token_axis", "summed", 0),
            reduceSum("mask_f", "token_axis", "counted", 1),
            op("Max", ["counted", "tiny"], "count"),
            op("Div", ["summed", "count"], "mean"),
            op("Mul", ["mean", "mean"], "squares"),
            reduceSum("squares", "last_axis", "square_norm", 1),
            op("Sqrt", ["square_norm"], "norm"),
            op("Max", ["norm", "tiny"], "safe_norm"),
            op("Div", ["mean", "safe_norm"], "sentence_embedding"),
          ]),
    ],
    inputs: [
      { name: "input_ids", elemType: OnnxDataType.INT64, shape: ["batch_size", "sequence_length"] },
      { name: "attention_mask", elemType: OnnxDataType.INT64, shape: ["batch_size", "sequence_length"] },
    ],
    outputs: perToken
      ? [{ name: "last_hidden_state", elemType: OnnxDataType.FLOAT, shape: ["batch_size", "sequence_length", options.dims] }]
      : [{ name: "sentence_embedding", elemType: OnnxDataType.FLOAT, shape: ["batch_size", options.dims] }],
    metadata: options.metadata,
  });
}
