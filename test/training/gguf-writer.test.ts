// Our GGUF writer against an independent reader, node-llama-cpp's readGgufFileInfo: every metadata
// type, tensor infos at aligned offsets, and the data read back from those offsets.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { GgmlType, readGgufFileInfo } from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { float16BitsToNumber } from "../../training/gguf/float16.ts";
import { encodeGguf, gguf, type GgufFile, type GgufTensor } from "../../training/gguf/gguf-writer.ts";
import { quantizeQ8_0 } from "../../training/gguf/q8_0.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "opus-gguf-writer-"));

function writeTemp(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

const ramp = (n: number, scale = 0.01) => Float32Array.from({ length: n }, (_, i) => (i - n / 2) * scale);

const tensors: GgufTensor[] = [
  { name: "a.f32", dims: [3], type: "F32", data: Float32Array.from([1.5, -2.25, 1e-7]) },
  { name: "b.f16", dims: [5, 2], type: "F16", data: ramp(10, 0.1) },
  { name: "c.q8_0", dims: [64, 3], type: "Q8_0", data: ramp(192) },
  { name: "d.f32", dims: [2, 1, 1, 2], type: "F32", data: Float32Array.from([1, 2, 3, 4]) },
];

const file: GgufFile = {
  metadata: {
    "general.architecture": gguf.string("test"),
    "general.quantization_version": gguf.u32(2),
    "test.u8": gguf.u8(255),
    "test.i8": gguf.i8(-128),
    "test.u16": gguf.u16(65535),
    "test.i16": gguf.i16(-32768),
    "test.u32": gguf.u32(4294967295),
    "test.i32": gguf.i32(-2147483648),
    "test.u64": gguf.u64(2n ** 64n - 1n),
    "test.i64": gguf.i64(-(2n ** 63n)),
    "test.f32": gguf.f32(0.1),
    "test.f64": gguf.f64(0.1),
    "test.yes": gguf.bool(true),
    "test.no": gguf.bool(false),
    "test.text": gguf.string("Θέωσις ▁ \"quoted\"\n"),
    "test.empty": gguf.string(""),
    "test.strings": gguf.stringArray(["<s>", "▁the", "", "ü"]),
    "test.floats": gguf.f32Array([0, -1.5, 3.25]),
    "test.ints": gguf.i32Array([1, -2, 2147483647]),
  },
  tensors,
};

describe("the GGUF writer", () => {
  it("writes metadata of every type that node-llama-cpp reads back", async () => {
    const info = await readGgufFileInfo(writeTemp("types.gguf", encodeGguf(file)), { logWarnings: false });
    expect(info.version).toBe(3);
    expect(Number(info.tensorCount)).toBe(tensors.length);
    const md = (info.metadata as unknown as { test: Record<string, unknown> }).test;
    expect(md).toMatchObject({ u8: 255, i8: -128, u16: 65535, i16: -32768, u32: 4294967295, i32: -2147483648, yes: true, no: false });
    expect(BigInt(md.u64 as bigint)).toBe(2n ** 64n - 1n);
    expect(BigInt(md.i64 as bigint)).toBe(-(2n ** 63n));
    expect(md.f32).toBe(Math.fround(0.1));
    expect(md.f64).toBe(0.1);
    expect(md.text).toBe("Θέωσις ▁ \"quoted\"\n");
    expect(md.empty).toBe("");
    expect(md.strings).toEqual(["<s>", "▁the", "", "ü"]);
    expect(md.floats).toEqual([0, -1.5, 3.25]);
    expect(md.ints).toEqual([1, -2, 2147483647]);
    expect(info.metadata.general.architecture).toBe("test");
  });

  it("lays tensors out at aligned offsets, with the data where the infos say", async () => {
    for (const alignment of [32, 64]) {
      const bytes = encodeGguf({ ...file, alignment });
      const info = await readGgufFileInfo(writeTemp(`layout-${alignment}.gguf`, bytes), { logWarnings: false });
      expect(info.metadata.general.alignment).toBe(alignment === 32 ? undefined : alignment);
      const dataStart = info.infoEndOffset!;
      expect(dataStart % alignment).toBe(0);
      expect(bytes.length % alignment).toBe(0);
      const infos = info.tensorInfo!;
      expect(infos.map((t) => t.name)).toEqual(tensors.map((t) => t.name));
      expect(infos.map((t) => t.dimensions.map(Number))).toEqual(tensors.map((t) => [...t.dims]));
      expect(infos.map((t) => t.ggmlType)).toEqual([GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.F32]);
      for (const t of infos) expect(Number(t.offset) % alignment).toBe(0);

      const at = (i: number) => dataStart + Number(infos[i]!.offset);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      expect([0, 1, 2].map((j) => view.getFloat32(at(0) + j * 4, true))).toEqual([...tensors[0]!.data]);
      const f16 = Array.from({ length: 10 }, (_, j) => float16BitsToNumber(view.getUint16(at(1) + j * 2, true)));
      f16.forEach((v, j) => expect(Math.abs(v - tensors[1]!.data[j]!)).toBeLessThan(1e-3));
      const q8 = bytes.subarray(at(2), at(2) + (192 / 32) * 34);
      expect(Buffer.from(q8).equals(Buffer.from(quantizeQ8_0(tensors[2]!.data)))).toBe(true);
      expect([0, 1, 2, 3].map((j) => view.getFloat32(at(3) + j * 4, true))).toEqual([1, 2, 3, 4]);
    }
  });

  it("writes the same bytes for the same input", () => {
    expect(encodeGguf(file).equals(encodeGguf(file))).toBe(true);
    expect(readFileSync(path.join(dir, "types.gguf")).equals(encodeGguf(file))).toBe(true);
  });

  it("refuses input that readers would misread, naming the tensor or key", () => {
    const one = (t: Partial<GgufTensor>) => () => encodeGguf({ metadata: file.metadata, tensors: [{ ...tensors[0]!, ...t }] });
    expect(one({ type: "Q8_0", dims: [3] })).toThrow(/a\.f32: Q8_0 needs ne0 \(dims\[0\] = 3\) to be a multiple of 32/);
    expect(one({ dims: [4] })).toThrow(/a\.f32: dims \[4\] hold 4 values, data has 3/);
    expect(one({ name: "x".repeat(64) })).toThrow(/must be 1 to 63 bytes/);
    expect(one({ dims: [1, 1, 1, 1, 3] })).toThrow(/1 to 4 dims/);
    expect(() => encodeGguf({ metadata: file.metadata, tensors: [tensors[0]!, tensors[0]!] })).toThrow(/a\.f32 is given twice/);
    expect(() => encodeGguf({ metadata: { "general.architecture": gguf.string("t") }, tensors: [tensors[2]!] })).toThrow(/general\.quantization_version/);
    expect(() => encodeGguf({ metadata: { "Bad Key": gguf.u8(1) }, tensors: [] })).toThrow(/"Bad Key" is not dot-separated lower_snake_case/);
    expect(() => encodeGguf({ metadata: { "test.n": gguf.u8(256) }, tensors: [] })).toThrow(/test\.n: 256 is not a valid u8/);
    expect(() => encodeGguf({ metadata: { "test.n": gguf.i32Array([1, 2.5]) }, tensors: [] })).toThrow(/test\.n\[1\]: 2\.5 is not a valid i32/);
    expect(() => encodeGguf({ metadata: { "general.alignment": gguf.u32(64) }, tensors: [] })).toThrow(/alignment option/);
  });
});
