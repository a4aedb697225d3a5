// Q8_0 quantization as llama.cpp's reference quantize_row_q8_0_ref (ggml-quants.c): blocks of 32
// values, each stored as a float16 scale d = amax / 127 followed by 32 int8 values round(x / d).
// The arithmetic is float32 (Math.fround) and roundf rounds halves away from zero, as in C.
import { float32ToFloat16Bits } from "./float16.ts";

export const Q8_0_BLOCK_VALUES = 32;
/** Bytes per block: a 2-byte float16 scale and 32 int8 quants. */
export const Q8_0_BLOCK_BYTES = 2 + Q8_0_BLOCK_VALUES;

const roundf = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

/** Quantizes `values` (a multiple of 32 long) into consecutive Q8_0 blocks. */
export function quantizeQ8_0(values: Float32Array): Uint8Array {
  if (values.length % Q8_0_BLOCK_VALUES !== 0) {
    throw new Error(`Q8_0 needs a multiple of ${Q8_0_BLOCK_VALUES} values, got ${values.length}`);
  }
  const blocks = values.length / Q8_0_BLOCK_VALUES;
  const out = new Uint8Array(blocks * Q8_0_BLOCK_BYTES);
  const view = new DataView(out.buffer);
  for (let b = 0; b < blocks; b++) {
    const start = b * Q8_0_BLOCK_VALUES;
    let amax = 0;
    for (let j = 0; j < Q8_0_BLOCK_VALUES; j++) amax = Math.max(amax, Math.abs(values[start + j]!));
    const d = Math.fround(amax / 127);
    const id = d !== 0 ? Math.fround(1 / d) : 0;
    const at = b * Q8_0_BLOCK_BYTES;
    view.setUint16(at, float32ToFloat16Bits(d), true);
    for (let j = 0; j < Q8_0_BLOCK_VALUES; j++) {
      view.setInt8(at + 2 + j, roundf(Math.fround(values[start + j]! * id)));
    }
  }
  return out;
}
