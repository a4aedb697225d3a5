// A usearch HNSW index of unit vectors (cosine metric) plus a JSON sidecar that records which
// embedder made the vectors. Opening or querying with another embedder is refused, since vectors
// of two models live in unrelated spaces and their distances mean nothing.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as Usearch from "usearch";

// usearch's ESM build locates its native addon from a file: URL and recurses forever under Node
// 20; the CommonJS build resolves it from __dirname and works.
const usearch = createRequire(import.meta.url)("usearch") as typeof Usearch;

export type Quantization = "f32" | "f16" | "i8";
export const QUANTIZATIONS: readonly Quantization[] = ["f32", "f16", "i8"];

export interface IndexSettings {
  embedderId: string;
  dimensions: number;
  quantization?: Quantization;
  /** HNSW graph degree (usearch default 16). */
  connectivity?: number;
  /** Candidate list size while inserting (usearch default 128). */
  expansionAdd?: number;
  /** Candidate list size while searching (usearch default 64). */
  expansionSearch?: number;
}

export interface IndexMeta extends Required<IndexSettings> {
  format: 1;
  metric: "cos";
}

export interface VectorMatch {
  key: number;
  /** Cosine similarity, 1 - cosine distance. */
  similarity: number;
}

export class EmbedderMismatchError extends Error {
  override name = "EmbedderMismatchError";
  constructor(
    readonly indexEmbedder: { id: string; dimensions: number },
    readonly requested: { id: string; dimensions?: number },
    where: string,
  ) {
    super(
      `The vector index ${where} was built with embedder "${indexEmbedder.id}" (${indexEmbedder.dimensions} dimensions), ` +
        `but this request uses "${requested.id}"${requested.dimensions === undefined ? "" : ` (${requested.dimensions} dimensions)`}. Vectors of different embedders ` +
        `cannot be compared: configure embedder "${indexEmbedder.id}" again, or re-embed the corpus with ` +
        `\`opus corpus rebuild\`.`,
    );
  }
}

export const DEFAULT_CONNECTIVITY = 16;
export const DEFAULT_EXPANSION_ADD = 128;
export const DEFAULT_EXPANSION_SEARCH = 128;

function metaFile(file: string): string {
  return `${file}.meta.json`;
}

function resolveSettings(s: IndexSettings): IndexMeta {
  if (!Number.isInteger(s.dimensions) || s.dimensions <= 0) throw new Error(`index dimensions must be a positive integer, got ${s.dimensions}`);
  const quantization = s.quantization ?? "f32";
  if (!QUANTIZATIONS.includes(quantization)) throw new Error(`quantization must be one of ${QUANTIZATIONS.join(", ")}, got "${quantization}"`);
  return {
    format: 1,
    metric: "cos",
    embedderId: s.embedderId,
    dimensions: s.dimensions,
    quantization,
    connectivity: s.connectivity ?? DEFAULT_CONNECTIVITY,
    expansionAdd: s.expansionAdd ?? DEFAULT_EXPANSION_ADD,
    expansionSearch: s.expansionSearch ?? DEFAULT_EXPANSION_SEARCH,
  };
}

function nativeIndex(meta: IndexMeta): Usearch.Index {
  return new usearch.Index({
    dimensions: meta.dimensions,
    metric: usearch.MetricKind.Cos,
    quantization: meta.quantization as Usearch.ScalarKind,
    connectivity: meta.connectivity,
    expansion_add: meta.expansionAdd,
    expansion_search: meta.expansionSearch,
    multi: false,
  });
}

export class VectorIndex {
  private native: Usearch.Index;
  /** The file a viewed index maps, while it is still a read-only view. */
  private viewing: string | undefined;

  private constructor(
    readonly meta: IndexMeta,
    native: Usearch.Index,
    viewing?: string,
  ) {
    this.native = native;
    this.viewing = viewing;
  }

  static create(settings: IndexSettings): VectorIndex {
    const meta = resolveSettings(settings);
    return new VectorIndex(meta, nativeIndex(meta));
  }

  /** Reads the embedder and settings an index file was saved with, without opening it. */
  static readMeta(file: string): IndexMeta {
    const sidecar = metaFile(file);
    if (!existsSync(sidecar)) throw new Error(`No index metadata at ${sidecar}: the index file ${file} has no record of its embedder.`);
    return JSON.parse(readFileSync(sidecar, "utf8")) as IndexMeta;
  }

  /**
   * Opens a saved index. With `view` the file is memory-mapped (no copy in RAM, for serving); the
   * first change then loads it fully. `expect` refuses an index built by another embedder.
   */
  static open(file: string, options: { view?: boolean; expect?: { id: string; dimensions: number } } = {}): VectorIndex {
    const meta = VectorIndex.readMeta(file);
    if (options.expect && (options.expect.id !== meta.embedderId || options.expect.dimensions !== meta.dimensions)) {
      throw new EmbedderMismatchError({ id: meta.embedderId, dimensions: meta.dimensions }, options.expect, `at ${file}`);
    }
    const native = nativeIndex(meta);
    if (options.view) native.view(file);
    else native.load(file);
    return new VectorIndex(meta, native, options.view ? file : undefined);
  }

  get size(): number {
    return this.native.size();
  }

  get isView(): boolean {
    return this.viewing !== undefined;
  }

  /** Refuses vectors of another embedder (by id and by length). */
  assertEmbedder(embedder: { id: string; dimensions: number }): void {
    if (embedder.id !== this.meta.embedderId || embedder.dimensions !== this.meta.dimensions) {
      throw new EmbedderMismatchError({ id: this.meta.embedderId, dimensions: this.meta.dimensions }, embedder, "in use");
    }
  }

  private writable(): Usearch.Index {
    if (this.viewing) {
      // A memory-mapped index is immutable: load a private copy before the first change.
      const loaded = nativeIndex(this.meta);
      loaded.load(this.viewing);
      this.native = loaded;
      this.viewing = undefined;
    }
    return this.native;
  }

  private checkVector(v: Float32Array): void {
    if (v.length !== this.meta.dimensions) throw new Error(`vector has ${v.length} dimensions, the index holds ${this.meta.dimensions}`);
  }

  add(keys: readonly number[], vectors: readonly Float32Array[]): void {
    if (keys.length !== vectors.length) throw new Error(`${keys.length} keys for ${vectors.length} vectors`);
    if (keys.length === 0) return;
    const flat = new Float32Array(keys.length * this.meta.dimensions);
    vectors.forEach((v, i) => {
      this.checkVector(v);
      flat.set(v, i * this.meta.dimensions);
    });
    this.writable().add(BigUint64Array.from(keys, (k) => BigInt(k)), flat, 0);
  }

  remove(keys: readonly number[]): number {
    if (keys.length === 0) return 0;
    const removed = this.writable().remove(BigUint64Array.from(keys, (k) => BigInt(k)));
    return Array.isArray(removed) ? removed.reduce((a, b) => a + b, 0) : removed;
  }

  contains(key: number): boolean {
    return this.native.contains(BigInt(key)) as boolean;
  }

  /** The k nearest vectors, most similar first. */
  search(vector: Float32Array, k: number): VectorMatch[] {
    this.checkVector(vector);
    if (this.size === 0 || k <= 0) return [];
    const result = this.native.search(vector, Math.min(k, this.size), 0);
    const matches: VectorMatch[] = [];
    for (let i = 0; i < result.keys.length; i++) {
      const distance = result.distances[i]!;
      // usearch pads missing results with the maximum key.
      if (result.keys[i]! === 0xffffffffffffffffn || Number.isNaN(distance)) continue;
      matches.push({ key: Number(result.keys[i]!), similarity: 1 - distance });
    }
    return matches;
  }

  /** Writes the index and its sidecar, each through a temporary file and a rename. */
  save(file: string): void {
    const temporary = `${file}.tmp-${process.pid}`;
    this.native.save(temporary);
    writeFileSync(`${metaFile(file)}.tmp-${process.pid}`, JSON.stringify(this.meta, null, 2));
    renameSync(temporary, file);
    renameSync(`${metaFile(file)}.tmp-${process.pid}`, metaFile(file));
  }
}
