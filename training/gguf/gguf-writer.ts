// A GGUF v3 writer (the format of ggml/llama.cpp; spec: ggml docs/gguf.md): little-endian header,
// typed metadata key/values, tensor infos, then tensor data with every tensor at a multiple of the
// alignment. Tensors come in as float32 values and are encoded as F32, F16 or Q8_0 here.
import { float32ToFloat16Bits } from "./float16.ts";
import { Q8_0_BLOCK_BYTES, Q8_0_BLOCK_VALUES, quantizeQ8_0 } from "./q8_0.ts";

const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian uint32
const GGUF_VERSION = 3;
/** The alignment readers assume when `general.alignment` is absent. */
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** ggml's GGML_MAX_NAME (64) counts the terminating NUL. */
const MAX_TENSOR_NAME_BYTES = 63;
const MAX_DIMS = 4;

/** gguf_metadata_value_type, by the names this module uses. */
const valueTypeCode = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufNumberType = "u8" | "i8" | "u16" | "i16" | "u32" | "i32" | "f32" | "f64";
export type GgufScalarType = GgufNumberType | "u64" | "i64" | "bool" | "string";
type ScalarOf<T extends GgufScalarType> = T extends "string" ? string : T extends "bool" ? boolean : T extends "u64" | "i64" ? bigint : number;

export type GgufMetadataValue =
  | { type: GgufNumberType; value: number }
  | { type: "u64" | "i64"; value: bigint }
  | { type: "bool"; value: boolean }
  | { type: "string"; value: string }
  | { [T in GgufScalarType]: { type: "array"; itemType: T; values: readonly ScalarOf<T>[] } }[GgufScalarType];

/** Constructors for metadata values, so call sites read as `gguf.u32(2048)`. */
export const gguf = {
  u8: (value: number): GgufMetadataValue => ({ type: "u8", value }),
  i8: (value: number): GgufMetadataValue => ({ type: "i8", value }),
  u16: (value: number): GgufMetadataValue => ({ type: "u16", value }),
  i16: (value: number): GgufMetadataValue => ({ type: "i16", value }),
  u32: (value: number): GgufMetadataValue => ({ type: "u32", value }),
  i32: (value: number): GgufMetadataValue => ({ type: "i32", value }),
  u64: (value: bigint | number): GgufMetadataValue => ({ type: "u64", value: BigInt(value) }),
  i64: (value: bigint | number): GgufMetadataValue => ({ type: "i64", value: BigInt(value) }),
  f32: (value: number): GgufMetadataValue => ({ type: "f32", value }),
  f64: (value: number): GgufMetadataValue => ({ type: "f64", value }),
  bool: (value: boolean): GgufMetadataValue => ({ type: "bool", value }),
  string: (value: string): GgufMetadataValue => ({ type: "string", value }),
  stringArray: (values: readonly string[]): GgufMetadataValue => ({ type: "array", itemType: "string", values }),
  f32Array: (values: readonly number[]): GgufMetadataValue => ({ type: "array", itemType: "f32", values }),
  i32Array: (values: readonly number[]): GgufMetadataValue => ({ type: "array", itemType: "i32", values }),
};

/** ggml_type codes of the tensor encodings this writer produces. */
export const ggmlTypeCode = { F32: 0, F16: 1, Q8_0: 8 } as const;
export type GgmlTensorType = keyof typeof ggmlTypeCode;

export interface GgufTensor {
  name: string;
  /** ggml order: dims[0] (ne0) is the fastest-varying, i.e. the reverse of a torch shape. */
  dims: readonly number[];
  type: GgmlTensorType;
  /** The values in memory order (ne0 fastest), as many as the product of dims. */
  data: Float32Array;
}

export interface GgufFile {
  /** Written in insertion order. */
  metadata: Readonly<Record<string, GgufMetadataValue>>;
  tensors: readonly GgufTensor[];
  /** Written as `general.alignment` when not the default 32. */
  alignment?: number;
}

const utf8 = new TextEncoder();
const alignUp = (n: number, alignment: number) => Math.ceil(n / alignment) * alignment;

/** Bytes of a tensor's data in its encoding. */
export function tensorDataBytes(type: GgmlTensorType, elements: number): number {
  if (type === "F32") return elements * 4;
  if (type === "F16") return elements * 2;
  return (elements / Q8_0_BLOCK_VALUES) * Q8_0_BLOCK_BYTES;
}

function encodeTensorData(tensor: GgufTensor): Uint8Array {
  if (tensor.type === "Q8_0") return quantizeQ8_0(tensor.data);
  const out = new Uint8Array(tensorDataBytes(tensor.type, tensor.data.length));
  const view = new DataView(out.buffer);
  if (tensor.type === "F32") tensor.data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  else tensor.data.forEach((v, i) => view.setUint16(i * 2, float32ToFloat16Bits(v), true));
  return out;
}

function checkTensor(tensor: GgufTensor): void {
  const nameBytes = utf8.encode(tensor.name).length;
  if (nameBytes === 0 || nameBytes > MAX_TENSOR_NAME_BYTES) throw new Error(`tensor name "${tensor.name}" must be 1 to ${MAX_TENSOR_NAME_BYTES} bytes`);
  if (!(tensor.type in ggmlTypeCode)) throw new Error(`tensor ${tensor.name}: unsupported type ${String(tensor.type)}`);
  if (tensor.dims.length < 1 || tensor.dims.length > MAX_DIMS) throw new Error(`tensor ${tensor.name}: 1 to ${MAX_DIMS} dims, got ${tensor.dims.length}`);
  if (!tensor.dims.every((d) => Number.isSafeInteger(d) && d > 0)) throw new Error(`tensor ${tensor.name}: dims must be positive integers, got [${tensor.dims.join(", ")}]`);
  const elements = tensor.dims.reduce((a, b) => a * b, 1);
  if (elements !== tensor.data.length) throw new Error(`tensor ${tensor.name}: dims [${tensor.dims.join(", ")}] hold ${elements} values, data has ${tensor.data.length}`);
  if (tensor.type === "Q8_0" && tensor.dims[0]! % Q8_0_BLOCK_VALUES !== 0) {
    throw new Error(`tensor ${tensor.name}: Q8_0 needs ne0 (dims[0] = ${tensor.dims[0]}) to be a multiple of ${Q8_0_BLOCK_VALUES}`);
  }
}

function checkKey(key: string): void {
  // The spec's rule: ASCII, dot-separated lower_snake_case segments, at most 65535 bytes.
  if (!/^[a-z0-9_]+(\.[a-z0-9_]+)*$/.test(key) || key.length > 65535) throw new Error(`metadata key "${key}" is not dot-separated lower_snake_case ASCII`);
}

/** Appends little-endian fields to a growing list of chunks (the header and tensor infos). */
class ByteSink {
  private readonly chunks: Uint8Array[] = [];
  length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  private fixed(size: number, write: (view: DataView) => void): void {
    const bytes = new Uint8Array(size);
    write(new DataView(bytes.buffer));
    this.push(bytes);
  }

  u32(v: number): void {
    this.fixed(4, (d) => d.setUint32(0, v, true));
  }

  u64(v: bigint | number): void {
    this.fixed(8, (d) => d.setBigUint64(0, BigInt(v), true));
  }

  string(s: string): void {
    const bytes = utf8.encode(s);
    this.u64(bytes.length);
    this.push(bytes);
  }

  scalar(type: GgufScalarType, v: string | number | bigint | boolean, where: string): void {
    const number = (min: number, max: number, integer: boolean) => {
      if (typeof v !== "number" || !(integer ? Number.isInteger(v) : true) || v < min || v > max) throw new Error(`${where}: ${String(v)} is not a valid ${type}`);
      return v;
    };
    switch (type) {
      case "u8":
        return this.fixed(1, (d) => d.setUint8(0, number(0, 0xff, true)));
      case "i8":
        return this.fixed(1, (d) => d.setInt8(0, number(-0x80, 0x7f, true)));
      case "u16":
        return this.fixed(2, (d) => d.setUint16(0, number(0, 0xffff, true), true));
      case "i16":
        return this.fixed(2, (d) => d.setInt16(0, number(-0x8000, 0x7fff, true), true));
      case "u32":
        return this.fixed(4, (d) => d.setUint32(0, number(0, 0xffffffff, true), true));
      case "i32":
        return this.fixed(4, (d) => d.setInt32(0, number(-0x80000000, 0x7fffffff, true), true));
      case "f32":
        return this.fixed(4, (d) => d.setFloat32(0, number(-Infinity, Infinity, false), true));
      case "f64":
        return this.fixed(8, (d) => d.setFloat64(0, number(-Infinity, Infinity, false), true));
      case "u64":
      case "i64": {
        if (typeof v !== "bigint") throw new Error(`${where}: ${String(v)} is not a bigint for ${type}`);
        const fits = type === "u64" ? v >= 0n && v < 1n << 64n : v >= -(1n << 63n) && v < 1n << 63n;
        if (!fits) throw new Error(`${where}: ${v} does not fit ${type}`);
        return this.fixed(8, (d) => (type === "u64" ? d.setBigUint64(0, v, true) : d.setBigInt64(0, v, true)));
      }
      case "bool":
        if (typeof v !== "boolean") throw new Error(`${where}: ${String(v)} is not a bool`);
        return this.fixed(1, (d) => d.setUint8(0, v ? 1 : 0));
      case "string":
        if (typeof v !== "string") throw new Error(`${where}: ${String(v)} is not a string`);
        return this.string(v);
    }
  }

  value(value: GgufMetadataValue, where: string): void {
    this.u32(valueTypeCode[value.type]);
    if (value.type !== "array") return this.scalar(value.type, value.value, where);
    this.u32(valueTypeCode[value.itemType]);
    this.u64(value.values.length);
    value.values.forEach((item, i) => this.scalar(value.itemType, item, `${where}[${i}]`));
  }

  padTo(alignment: number): void {
    this.push(new Uint8Array(alignUp(this.length, alignment) - this.length));
  }

  bytes(): Uint8Array[] {
    return this.chunks;
  }
}

/** Encodes a whole GGUF v3 file in memory. */
export function encodeGguf(file: GgufFile): Buffer {
  const alignment = file.alignment ?? GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) throw new Error(`alignment must be a positive multiple of 8, got ${alignment}`);
  if (file.metadata["general.alignment"]) throw new Error("set the alignment with the alignment option (it also lays the data out), not as general.alignment");
  const metadata: Record<string, GgufMetadataValue> = { ...file.metadata };
  if (alignment !== GGUF_DEFAULT_ALIGNMENT) metadata["general.alignment"] = gguf.u32(alignment);
  const names = new Set<string>();
  for (const tensor of file.tensors) {
    checkTensor(tensor);
    if (names.has(tensor.name)) throw new Error(`tensor ${tensor.name} is given twice`);
    names.add(tensor.name);
  }
  // The spec: if any tensor is quantized, general.quantization_version must be present.
  if (file.tensors.some((t) => t.type === "Q8_0") && !metadata["general.quantization_version"]) {
    throw new Error("quantized tensors need general.quantization_version in the metadata (llama.cpp writes 2)");
  }

  const head = new ByteSink();
  head.u32(GGUF_MAGIC);
  head.u32(GGUF_VERSION);
  head.u64(file.tensors.length);
  const entries = Object.entries(metadata);
  head.u64(entries.length);
  for (const [key, value] of entries) {
    checkKey(key);
    head.string(key);
    head.value(value, key);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const tensor of file.tensors) {
    head.string(tensor.name);
    head.u32(tensor.dims.length);
    for (const d of tensor.dims) head.u64(d);
    head.u32(ggmlTypeCode[tensor.type]);
    head.u64(offset);
    offsets.push(offset);
    offset = alignUp(offset + tensorDataBytes(tensor.type, tensor.data.length), alignment);
  }
  head.padTo(alignment);

  const dataStart = head.length;
  // The last tensor is padded too, so the file ends on the alignment like llama.cpp's own writer.
  const out = Buffer.alloc(dataStart + offset);
  let at = 0;
  for (const chunk of head.bytes()) {
    out.set(chunk, at);
    at += chunk.length;
  }
  file.tensors.forEach((tensor, i) => out.set(encodeTensorData(tensor), dataStart + offsets[i]!));
  return out;
}
