// Embedding throughput of the static model through transformers.js (the knowledge base's embedder:
// the pipeline's tokenizer and model, the model's in-graph sentence_embedding) against a raw
// onnxruntime-node session on the same model file, in the same run: the raw path tokenizes with
// @huggingface/tokenizers (the library transformers.js uses inside), builds the tensors and runs
// the session itself. Both embed the golden corpus's passages and sentences in batches of 32;
// rounds alternate so machine noise falls on both. Goal: transformers.js at >= 0.8 of raw.
// Run: npx tsx bench/embeddings.ts
import { readFileSync } from "node:fs";
import path from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import * as ort from "onnxruntime-node";
import { chunkMarkdown } from "../gpu-node/knowledge/chunker.ts";
import { defaultGoldenDir, listMarkdownFiles } from "../gpu-node/knowledge/corpus.ts";
import { createEmbedder } from "../gpu-node/knowledge/embedder.ts";
import { ensureStaticModel } from "../gpu-node/knowledge/static-model/build-static-model.ts";
import { percentile, report } from "./report.ts";

const BATCH = 32;
const ROUNDS = 9;

const texts: string[] = [];
for (const file of listMarkdownFiles(defaultGoldenDir())) {
  for (const p of chunkMarkdown(readFileSync(file, "utf8"))) texts.push(p.text);
}
// Short texts too: queries and sentences are most of what a node embeds besides passages.
const sentences = texts.flatMap((t) => t.split(/(?<=\.)\s+/)).filter((s) => s.length > 20);
const workload = [...texts, ...sentences.slice(0, 600)];

const model = await ensureStaticModel();
const embedder = await createEmbedder();

const tokenizer = new Tokenizer(
  JSON.parse(readFileSync(path.join(model.dir, "tokenizer.json"), "utf8")),
  JSON.parse(readFileSync(path.join(model.dir, "tokenizer_config.json"), "utf8")),
);
const session = await ort.InferenceSession.create(path.join(model.dir, "onnx", "model.onnx"));

async function rawEmbed(batch: string[]): Promise<Float32Array[]> {
  const encodings = batch.map((t) => tokenizer.encode(t));
  const length = Math.max(1, ...encodings.map((e) => e.ids.length));
  const ids = new BigInt64Array(batch.length * length);
  const mask = new BigInt64Array(batch.length * length);
  encodings.forEach((e, row) => {
    e.ids.forEach((id, i) => {
      ids[row * length + i] = BigInt(id);
      mask[row * length + i] = 1n;
    });
  });
  const dims = [batch.length, length];
  const out = await session.run({ input_ids: new ort.Tensor("int64", ids, dims), attention_mask: new ort.Tensor("int64", mask, dims) });
  const pooled = out.sentence_embedding!.data as Float32Array;
  const width = pooled.length / batch.length;
  return batch.map((_, row) => pooled.slice(row * width, (row + 1) * width));
}

/** Wall time and CPU time (all threads of this process) of one pass over the workload. */
async function timed(embed: (batch: string[]) => Promise<Float32Array[]>): Promise<{ seconds: number; cpuSeconds: number; vectors: Float32Array[] }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const vectors: Float32Array[] = [];
  for (let i = 0; i < workload.length; i += BATCH) vectors.push(...(await embed(workload.slice(i, i + BATCH))));
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, vectors };
}

const viaTransformers = (batch: string[]) => embedder.embed(batch);

// Warm every path (first-call allocations, JIT).
await timed(viaTransformers);
await timed(rawEmbed);

// Per round, each path's texts/s by wall time and by CPU time; ratios are taken within a round
// (paired), so a busy spell on this shared machine slows both sides of the ratio alike.
const rates = { tjs: [] as number[], raw: [] as number[] };
const wallRatios: number[] = [];
const cpuRatios: number[] = [];
let maxDifference = 0;
for (let round = 0; round < ROUNDS; round++) {
  const a = await timed(viaTransformers);
  const b = await timed(rawEmbed);
  const c =   rates.tjs.push(workload.length / a.seconds);
  rates.raw.push(workload.length / b.seconds);
  wallRatios.push(b.seconds / a.seconds);
  cpuRatios.push(b.cpuSeconds / a.cpuSeconds);
  if (round === 0) {
    a.vectors.forEach((v, i) => v.forEach((x, d) => (maxDifference = Math.max(maxDifference, Math.abs(x - b.vectors[i]![d]!)))));
  }
}

const tokens = workload.reduce((n, t) => n + tokenizer.encode(t).ids.length, 0);
const row = (path: string, list: number[]) => {
  const perS = percentile(list, 50);
  return { path, textsPerS: Math.round(perS), tokensPerS: Math.round((perS * tokens) / workload.length), rounds: ROUNDS };
};
report(
  "embeddings",
  [
    row("transformers.js (knowledge-base embedder)", rates.tjs),
    row("raw onnxruntime-node session", rates.raw),
  ],
  {
    model: embedder.id,
    texts: workload.length,
    meanTokensPerText: +(tokens / workload.length).toFixed(1),
    batch: BATCH,
    ratio: +percentile(wallRatios, 50).toFixed(3),
    ratioByCpuTime: +percentile(cpuRatios, 50).toFixed(3),
    goal: "ratio >= 0.8",
    maxAbsDifference: +maxDifference.toExponential(2),
  },
);
await embedder.dispose();
await session.release();
