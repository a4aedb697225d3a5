// Q8_0 blocks and float16 bits against llama.cpp's own reference code. The expected bytes were
// produced by ggml's quantize_row_q8_0_ref (ggml-quants.c) and ggml_compute_fp32_to_fp16
// (ggml-impl.h), compiled with gcc, on the same inputs (all exact in float32).
import { describe, expect, it } from "vitest";
import { float16BitsToNumber, float32ToFloat16Bits } from "../../training/gguf/float16.ts";
import { Q8_0_BLOCK_BYTES, quantizeQ8_0 } from "../../training/gguf/q8_0.ts";

const F = Math.fround;
const block = (value: (j: number) => number) => Float32Array.from({ length: 32 }, (_, j) => value(j));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

const reference = {
  // (j - 16) / 8: amax 2, d = 2/127, and values at exactly ±63.5 / d steps, which roundf takes away from zero.
  ramp: { input: block((j) => (j - 16) / 8), bytes: "082481899199a1a9b1b9c0c8d0d8e0e8f0f8000810182028303840474f575f676f77" },
  // A scale below float16's smallest normal: d is stored subnormal.
  tiny: { input: block((j) => F(j * F(1e-7)) * (j % 2 ? 1 : -1)), bytes: "00000004f80cf014e71ddf25d72dcf35c73dbe46b64eae56a65e9e66956f8d77857f" },
  zero: { input: block(() => 0), bytes: "00".repeat(34) },
  large: { input: block((j) => F(((j % 3 ? 1 : -1) * 1000 * (j + 1)) / 32)), bytes: "e047fc080cf01418e42024d82c30cc383cc04347b54f53a95b5f9d676b917377857f" },
};

describe("Q8_0 quantization", () => {
  for (const [name, { input, bytes }] of Object.entries(reference)) {
    it(`matches llama.cpp's reference block: ${name}`, () => {
      expect(hex(quantizeQ8_0(input))).toBe(bytes);
    });
  }

  it("quantizes consecutive blocks independently, each with its own scale", () => {
    const two = new Float32Array(64);
    two.set(reference.ramp.input, 0);
    two.set(reference.large.input, 32);
    const out = quantizeQ8_0(two);
    expect(out.length).toBe(2 * Q8_0_BLOCK_BYTES);
    expect(hex(out)).toBe(reference.ramp.bytes + reference.large.bytes);
  });

  it("dequantizes to within half a step of the input", () => {
    const input = reference.ramp.input;
    const out = quantizeQ8_0(input);
    const view = new DataView(out.buffer);
    const d = float16BitsToNumber(view.getUint16(0, true));
    input.forEach((x, j) => expect(Math.abs(view.getInt8(2 + j) * d - x)).toBeLessThanOrEqual(d / 2 + 1e-6));
  });

  it("refuses a length that is not whole blocks", () => {
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(/multiple of 32 values, got 33/);
  });
});

describe("float16 conversion", () => {
  it("rounds as ggml does: nearest, ties to even, subnormals, overflow and NaN", () => {
    const inputs = [0, -0, 1, 0.1, 65504, 65520, 1e-8, 5.96e-8, 2.98e-8, 2.9802322e-8, 6.1e-5, 1.00048828125, 1.00146484375, -3.14159, Infinity, Number.NaN];
    const ggml = "0000 8000 3c00 2e66 7bff 7c00 0000 0001 0000 0000 03ff 3c00 3c02 c248 7c00 7e00";
    expect(inputs.map((v) => float32ToFloat16Bits(v).toString(16).padStart(4, "0")).join(" ")).toBe(ggml);
  });

  it("reads back every finite float16 exactly", () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      if (((bits >>> 10) & 0x1f) !== 0x1f && float32ToFloat16Bits(float16BitsToNumber(bits)) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });
});
