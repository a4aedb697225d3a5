// The vector index at 10k and 100k vectors: recall@10 against exact search, query latency (median
// and p99, one query at a time), and build throughput, on vectors of dimension 100 (the static
// embedder's): random unit vectors (no structure at all, the hardest case for any graph index),
// clustered ones (passages on a few subjects), and real GloVe word vectors (real embeddings). Each built index is saved once and re-opened with several
// expansion_search settings (usearch fixes it when the index is constructed).
// Goal: recall@10 >= 0.98 with a median query under 1 ms at 100k.
// Run: npx tsx bench/usearch.ts [--quick] [--data random,clustered,glove] [--sizes 10000,100000]
//      [--connectivity 16,32] [--expansion-add 128]
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type * as Usearch from "usearch";
import { seededRandom } from "../gpu-node/knowledge/paraphrase.ts";
import { loadGloveVectors } from "../gpu-node/knowledge/static-model/glove-source.ts";
import { VectorIndex, type Quantization } from "../gpu-node/knowledge/vector-index.ts";
import { percentile, report, type Row } from "./report.ts";

const usearch = createRequire(import.meta.url)("usearch") as typeof Usearch;
const quick = process.argv.includes("--quick");
function listArg<T extends string | number>(name: string, fallback: T[], parse: (s: string) => T): T[] {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] ? process.argv[at + 1]!.split(",").map(parse) : fallback;
}
const DIMS = 100;
const K = 10;
const CONNECTIVITIES = listArg("connectivity", [16, 32], Number);
const EXPANSION_ADD = listArg("expansion-add", [128], Number)[0]!;
const SEARCH_SETTINGS = [64, 128, 256, 512];
const dir = mkdtempSync(path.join(os.tmpdir(), "opus-usearch-bench-"));

function gaussian(random: () => number): number {
  // Box-Muller.
  return Math.sqrt(-2 * Math.log(random() || 1e-12)) * Math.cos(2 * Math.PI * random());
}

function normalizeRows(data: Float32Array, dims: number): void {
  for (let r = 0; r < data.length / dims; r++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) norm += data[r * dims + d]! ** 2;
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dims; d++) data[r * dims + d]! /= norm;
  }
}

type Kind = "random" | "clustered" | "glove";
let glove: Float32Array | undefined;

/** GloVe rows: the base takes the most frequent words, queries come from rows after 150,000. */
function gloveRows(from: number, n: number): Float32Array {
  glove ??= loadGloveVectors().vectors;
  const rows = glove.slice(from * DIMS, (from + n) * DIMS);
  normalizeRows(rows, DIMS);
  return rows;
}

/** Random unit vectors, or vectors scattered around `clusters` random centres (like passages on a few subjects). */
function dataset(kind: Exclude<Kind, "glove">, n: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const data = new Float32Array(n * DIMS);
  if (kind === "random") {
    for (let i = 0; i < data.length; i++) data[i] = gaussian(random);
  } else {
    const clusters = 100;
    const centres = new Float32Array(clusters * DIMS);
    for (let i = 0; i < centres.length; i++) centres[i] = gaussian(random);
    normalizeRows(centres, DIMS);
    for (let r = 0; r < n; r++) {
      const c = Math.floor(random() * clusters);
      for (let d = 0; d < DIMS; d++) data[r * DIMS + d] = centres[c * DIMS + d]! + 0.06 * gaussian(random);
    }
  }
  normalizeRows(data, DIMS);
  return data;
}

function exactTopK(base: Float32Array, queries: Float32Array): BigUint64Array[] {
  const result = usearch.exactSearch(base, queries, DIMS, K, usearch.MetricKind.Cos, 0) as Usearch.BatchMatches;
  const out: BigUint64Array[] = [];
  for (let q = 0; q < queries.length / DIMS; q++) out.push(result.keys.slice(q * K, (q + 1) * K));
  return out;
}

const rows: Row[] = [];
const sizes = quick ? [10_000] : listArg("sizes", [10_000, 100_000], Number);
const kinds = listArg<Kind>("data", ["random", "clustered", "glove"], (s) => {
  if (s !== "random" && s !== "clustered" && s !== "glove") throw new Error(`--data takes random, clustered, glove; got ${s}`);
  return s;
});
let best100k: { recall: number; medianMs: number; expansionSearch: number; connectivity: number; data: string } | undefined;

for (const n of sizes) {
  for (const kind of kinds) {
    // Quantized variants once, at 10k with the default connectivity: they trade recall for memory.
    const variants = [
      ...CONNECTIVITIES.map((connectivity) => ({ connectivity, quantization: "f32" as Quantization })),
      ...(n === 10_000 ? (["f16", "i8"] as Quantization[]).map((quantization) => ({ connectivity: CONNECTIVITIES[0]!, quantization })) : []),
    ];
    for (const { connectivity: CONNECTIVITY, quantization } of variants) {
      const queryCount = n >= 100_000 ? 500 : 1000;
      let base: Float32Array;
      let queries: Float32Array;
      if (kind === "glove") {
        base = gloveRows(0, n);
        queries = gloveRows(150_000, queryCount);
      } else if (kind === "clustered") {
        // Queries share the base's centres: one draw, split.
        const all = dataset(kind, n + queryCount, 1000 + n);
        base = all.slice(0, n * DIMS);
        queries = all.slice(n * DIMS);
      } else {
        base = dataset(kind, n, 1000 + n);
        queries = dataset(kind, queryCount, 7 + n);
      }
      const truth = exactTopK(base, queries);

      const index = VectorIndex.create({ embedderId: "bench", dimensions: DIMS, quantization, connectivity: CONNECTIVITY, expansionAdd: EXPANSION_ADD });
      const keys = Array.from({ length: n }, (_, i) => i);
      const vectors = Array.from({ length: n }, (_, i) => base.subarray(i * DIMS, (i + 1) * DIMS));
      const buildStart = performance.now();
      index.add(keys, vectors);
      const buildSeconds = (performance.now() - buildStart) / 1000;
      const file = path.join(dir, `${kind}-${n}-${quantization}-${CONNECTIVITY}.usearch`);
      index.save(file);

      for (const expansionSearch of SEARCH_SETTINGS) {
        // Re-open the saved file with this search setting; `view` memory-maps it as served.
        const native = new usearch.Index({ dimensions: DIMS, metric: usearch.MetricKind.Cos, quantization: quantization as Usearch.ScalarKind, connectivity: CONNECTIVITY, expansion_add: EXPANSION_ADD, expansion_search: expansionSearch, multi: false });
        native.view(file);
        const latencies: number[] = [];
        let hits = 0;
        for (let q = 0; q < queryCount; q++) {
          const query = queries.subarray(q * DIMS, (q + 1) * DIMS);
          const t = performance.now();
          const found = native.search(query, K, 1);
          latencies.push(performance.now() - t);
          const expected = new Set(truth[q]!);
          for (const key of found.keys) if (expected.has(key)) hits++;
        }
        const recall = hits / (queryCount * K);
        const medianMs = percentile(latencies, 50);
        rows.push({
          data: kind,
          vectors: n,
          dims: DIMS,
          quantization,
          connectivity: CONNECTIVITY,
          expansionSearch,
          recallAt10: +recall.toFixed(4),
          medianMs: +medianMs.toFixed(4),
          p99Ms: +percentile(latencies, 99).toFixed(4),
          buildVectorsPerS: Math.round(n / buildSeconds),
        });
        if (n === 100_000 && quantization === "f32" && recall >= 0.98 && (!best100k || medianMs < best100k.medianMs)) {
          best100k = { recall, medianMs, expansionSearch, connectivity: CONNECTIVITY, data: kind };
        }
      }
    }
  }
}

const worst100k = rows.filter((r) => r.vectors === 100_000 && r.quantization === "f32" && r.recallAt10 !== null);
// A partial run (flags) writes its own results file, leaving the full run's in place.
const resultName = process.argv.length > 2 ? `usearch-${quick ? "quick" : `${kinds.join("+")}-${sizes.join("+")}-m${CONNECTIVITIES.join("+")}-ea${EXPANSION_ADD}`}` : "usearch";
report(resultName, rows, {
  threadsForBuild: "auto",
  expansionAdd: EXPANSION_ADD,
  queryThreads: 1,
  goal: "recall@10 >= 0.98 and median < 1 ms at 100k",
  goalMetFor: quick
    ? "skipped (--quick)"
    : kinds
        .filter((kind) => worst100k.some((r) => r.data === kind && (r.recallAt10 as number) >= 0.98 && (r.medianMs as number) < 1))
        .join(", ") || "none",
  fastestPassing100k: best100k ? `${best100k.data}: connectivity ${best100k.connectivity}, expansion_search ${best100k.expansionSearch}, recall ${best100k.recall.toFixed(4)}, median ${best100k.medianMs.toFixed(3)} ms` : "none",
});
rmSync(dir, { recursive: true, force: true });
