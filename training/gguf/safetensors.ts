// Reads a safetensors file of float32 tensors: an 8-byte little-endian header length, a JSON header
// ({ name: { dtype, shape, data_offsets: [begin, end] } }, offsets relative to the data after the
// header), then the raw little-endian data.
import type { NamedTensor } from "./llama-gguf.ts";

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** The tensors of a safetensors file by name, in header order. Only F32 data is accepted. */
export function readSafetensors(bytes: Uint8Array, source = "safetensors file"): Map<string, NamedTensor> {
  if (bytes.length < 8) throw new Error(`${source} is too short to be safetensors`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength <= 0 || 8 + headerLength > bytes.length) throw new Error(`${source}: header length ${headerLength} does not fit the file (${bytes.length} bytes)`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`${source}: the header is not JSON (${(error as Error).message})`);
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, NamedTensor>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    const entry = raw as Partial<HeaderEntry>;
    if (entry.dtype !== "F32") throw new Error(`${source}: tensor ${name} is ${String(entry.dtype)}; export float32 (F32) tensors`);
    const shape = entry.shape;
    const offsets = entry.data_offsets;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new Error(`${source}: tensor ${name} has no valid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2) throw new Error(`${source}: tensor ${name} has no valid data_offsets`);
    const [begin, end] = offsets;
    const elements = shape.reduce((a, b) => a * b, 1);
    if (!(begin >= 0 && end <= dataLength && end - begin === elements * 4)) {
      throw new Error(`${source}: tensor ${name} spans bytes ${begin}..${end} of ${dataLength}, its shape [${shape.join(", ")}] needs ${elements * 4}`);
    }
    const data = new Float32Array(elements);
    for (let i = 0; i < elements; i++) data[i] = view.getFloat32(dataStart + begin + i * 4, true);
    tensors.set(name, { shape, data });
  }
  return tensors;
}
