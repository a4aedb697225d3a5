// The usearch index wrapper: round trip through a file (loaded and memory-mapped), removal,
// quantization, and refusal of another embedder's vectors.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { seededRandom } from "../../gpu-node/knowledge/paraphrase.ts";
import { EmbedderMismatchError, VectorIndex } from "../../gpu-node/knowledge/vector-index.ts";

const dir = mkdtempSync(path.join(os.tmpdir(), "opus-vector-index-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function unitVectors(n: number, dims: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: dims }, () => random() - 0.5);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

function exactNearest(vectors: Float32Array[], query: Float32Array, k: number): number[] {
  return vectors
    .map((v, i) => ({ i, s: v.reduce((acc, x, d) => acc + x * query[d]!, 0) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.i);
}

describe("VectorIndex", () => {
  const dims = 32;
  const vectors = unitVectors(2000, dims, 1);
  const keys = vectors.map((_, i) => i + 100);
  const queries = unitVectors(20, dims, 2);
  const embedder = { id: "test-embedder@1", dimensions: dims };

  it("round-trips through save, load and view with the same results", () => {
    const index = VectorIndex.create({ embedderId: embedder.id, dimensions: dims });
    index.add(keys, vectors);
    expect(index.size).toBe(2000);
    const before = queries.map((q) => index.search(q, 10));
    const file = path.join(dir, "roundtrip.usearch");
    index.save(file);

    const loaded = VectorIndex.open(file, { expect: embedder });
    const viewed = VectorIndex.open(file, { view: true, expect: embedder });
    expect(viewed.isView).toBe(true);
    queries.forEach((q, i) => {
      expect(loaded.search(q, 10)).toEqual(before[i]);
      expect(viewed.search(q, 10)).toEqual(before[i]);
    });
    expect(VectorIndex.readMeta(file)).toMatchObject({ embedderId: embedder.id, dimensions: dims, metric: "cos", quantization: "f32" });
  });

  it("finds the exact nearest neighbours with high recall and reports cosine similarity", () => {
    const index = VectorIndex.create({ embedderId: embedder.id, dimensions: dims });
    index.add(keys, vectors);
    let hits = 0;
    for (const q of queries) {
      const expected = new Set(exactNearest(vectors, q, 10).map((i) => keys[i]));
      const found = index.search(q, 10);
      hits += found.filter((m) => expected.has(m.key)).length;
      const top = found[0]!;
      const cos = vectors[top.key - 100]!.reduce((acc, x, d) => acc + x * q[d]!, 0);
      expect(top.similarity).toBeCloseTo(cos, 4);
    }
    expect(hits / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
  });

  it("a viewed index becomes writable on the first change; removed keys are gone", () => {
    const index = VectorIndex.create({ embedderId: embedder.id, dimensions: dims });
    index.add(keys.slice(0, 100), vectors.slice(0, 100));
    const file = path.join(dir, "mutate.usearch");
    index.save(file);
    const viewed = VectorIndex.open(file, { view: true });
    expect(viewed.remove([100])).toBe(1);
    expect(viewed.isView).toBe(false);
    expect(viewed.contains(100)).toBe(false);
    expect(viewed.search(vectors[0]!, 5).map((m) => m.key)).not.toContain(100);
    viewed.add([5000], [vectors[0]!]);
    expect(viewed.search(vectors[0]!, 1)[0]!.key).toBe(5000);
  });

  it("supports f16 and i8 quantization", () => {
    for (const quantization of ["f16", "i8"] as const) {
      const index = VectorIndex.create({ embedderId: embedder.id, dimensions: dims, quantization });
      index.add(keys.slice(0, 500), vectors.slice(0, 500));
      const file = path.join(dir, `${quantization}.usearch`);
      index.save(file);
      const reopened = VectorIndex.open(file, { view: true });
      expect(reopened.meta.quantization).toBe(quantization);
      expect(reopened.search(vectors[7]!, 1)[0]!.key).toBe(107);
    }
  });

  it("refuses another embedder, with both ids and the fix in the message", () => {
    const index = VectorIndex.create({ embedderId: embedder.id, dimensions: dims });
    index.add([1], [vectors[0]!]);
    const file = path.join(dir, "mismatch.usearch");
    index.save(file);
    const other = { id: "other-embedder@2", dimensions: dims };
    expect(() => VectorIndex.open(file, { expect: other })).toThrow(EmbedderMismatchError);
    expect(() => VectorIndex.open(file, { expect: other })).toThrow(/test-embedder@1.*other-embedder@2.*opus corpus rebuild/s);
    expect(() => index.assertEmbedder({ id: embedder.id, dimensions: 64 })).toThrow(EmbedderMismatchError);
  });

  it("rejects bad input with clear errors", () => {
    const index = VectorIndex.create({ embedderId: embedder.id, dimensions: dims });
    expect(() => index.add([1], [new Float32Array(dims + 1)])).toThrow(/33 dimensions, the index holds 32/);
    expect(() => index.add([1, 2], [vectors[0]!])).toThrow(/2 keys for 1 vectors/);
    expect(() => VectorIndex.create({ embedderId: "x", dimensions: 0 })).toThrow(/positive integer/);
    expect(() => VectorIndex.create({ embedderId: "x", dimensions: 4, quantization: "b1" as never })).toThrow(/f32, f16, i8/);
    expect(index.search(vectors[0]!, 5)).toEqual([]);
    expect(() => VectorIndex.open(path.join(dir, "missing.usearch"))).toThrow(/No index metadata/);
  });
});
