// How good the built-in model is, beside stories260K (the tiny TinyStories llama the project used before):
//  1. bits per character on held-out Fathers text that the model never saw in training (the works the
//     provenance record lists as held out), through node-llama-cpp; per character because the tokenizers differ;
//  2. decoding tokens/s through our engine, one thread, alternating the two models;
//  3. how much of the demo entry (`opus generate Theosis --tier S`) is in the domain: Scripture references
//     found, Fathers named, domain vocabulary per 1,000 words.
// Needs ../shared (the held-out text and stories260K) for 1 and for the comparison columns; says so when absent.
// Run: npx tsx bench/domain-model.ts   (OPUS_BENCH_TIER=S|A|B, OPUS_BENCH_SKIP_ENTRY=1 to skip part 3)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { getLlama, LlamaLogLevel, type LlamaModel, type Token } from "node-llama-cpp";
import { createEngine } from "../gpu-node/engine/index.ts";
import { nodeConfigSchema, type NodeConfig } from "../gpu-node/config/index.ts";
import { parseDocument } from "../shared/validation/index.ts";
import { extractScripture } from "../shared/validation/scripture/extract.ts";
import { findAuthorMentions } from "../shared/validation/patristic/citation-index.ts";
import { countWords } from "../shared/text/words.ts";
import { percentile, report, type Row } from "./report.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const shared = path.resolve(repoRoot, "../shared");
const ours = path.join(repoRoot, "models/opus-mini.gguf");
const record = JSON.parse(readFileSync(path.join(repoRoot, "models/opus-mini.provenance.json"), "utf8")) as {
  held_out: { works: { author: string; work: string }[] };
};
const stories = path.join(shared, "models/stories260K.gguf");
const haveShared = existsSync(stories) && existsSync(path.join(shared, "sources/fathers"));
if (!haveShared) console.log("../shared is not beside the repository: held-out text and stories260K are missing, so only the built-in model's speed and entry are measured.");
const models = [{ name: "opus-mini", file: ours }, ...(haveShared ? [{ name: "stories260K", file: stories }] : [])];
const HELD_OUT_CHARS = Number(process.env.OPUS_BENCH_HELD_OUT_CHARS ?? 30_000);

/** The held-out works' paragraphs of prose (12 words or more), as the sources give them. */
function heldOutText(): string {
  const wanted = new Set(record.held_out.works.map((w) => `${w.author}|${w.work}`));
  const paragraphs: string[] = [];
  for (const file of readdirSync(path.join(shared, "sources/fathers")).filter((f) => f.endsWith(".jsonl")).sort()) {
    for (const line of readFileSync(path.join(shared, "sources/fathers", file), "utf8").split("\n")) {
      if (!line.trim()) continue;
      const work = JSON.parse(line) as { author: string; work: string; text: string };
      if (!wanted.has(`${work.author}|${work.work}`)) continue;
      for (const p of work.text.split("\n\n")) {
        const flat = p.split(/\s+/).join(" ").trim();
        if (flat.split(" ").length >= 12) paragraphs.push(flat);
      }
    }
  }
  return paragraphs.join("\n\n").slice(0, HELD_OUT_CHARS);
}

/** Total negative log-likelihood in bits of `text`, in windows of the model's training context. */
async function bitsOf(model: LlamaModel, text: string): Promise<number> {
  const window = Math.min(model.trainContextSize, 512);
  const context = await model.createContext({ contextSize: window, sequences: 1, threads: 1 });
  const sequence = context.getSequence();
  const tokens = model.tokenize(text);
  const bos = model.tokens.bos;
  let bits = 0;
  try {
    for (let start = 0; start < tokens.length; start += window - 1) {
      const piece = tokens.slice(start, start + window - 1);
      const input: Token[] = bos === null ? piece : [bos, ...piece];
      const offset = bos === null ? 1 : 0;
      await sequence.clearHistory();
      const items = input.map((token, i) => {
        const next = input[i + 1];
        if (next === undefined || i + 1 < offset) return token;
        // Every logit, so the log-softmax is ours: filtered logits and the library's probabilities are sampling views.
        return [token, { generateNext: { logits: true } }] as const;
      });
      const out = await sequence.controlledEvaluate(items as Parameters<typeof sequence.controlledEvaluate>[0]);
      for (let i = 0; i < input.length - 1; i++) {
        const next = out[i]?.next;
        if (!next?.logits) throw new Error(`no logits for token ${i} of a window`);
        let max = -Infinity;
        for (const v of next.logits.values()) if (v > max) max = v;
        let sum = 0;
        for (const v of next.logits.values()) sum += Math.exp(v - max);
        const logit = next.logits.get(input[i + 1]!) ?? -Infinity;
        bits += -(logit - max - Math.log(sum)) / Math.LN2;
      }
    }
  } finally {
    await context.dispose();
  }
  return bits;
}

const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
const rows: Row[] = [];
const summary: Row = {};

// 1. Bits per character on held-out text.
if (haveShared) {
  const text = heldOutText();
  for (const m of models) {
    const model = await llama.loadModel({ modelPath: m.file });
    const bits = await bitsOf(model, text);
    rows.push({ measure: "held-out bits/char", model: m.name, value: Number((bits / text.length).toFixed(3)), chars: text.length });
    summary[`bpc_${m.name}`] = Number((bits / text.length).toFixed(3));
    await model.dispose();
  }
}

// 2. Decoding speed through the engine, rounds alternating between the models.
const config: NodeConfig = {
  ...nodeConfigSchema.parse({
    gpu: false,
    logLevel: "error",
    models: models.map((m) => ({ id: m.name, source: m.file, threads: 1, sequences: 1, gpuLayers: 0 })),
    features: { threadCalibration: false, responseCache: false, processMetrics: false },
    paths: { cacheDir: path.join(os.tmpdir(), "opus-bench-cache") },
  }),
  configFile: null,
};
const engine = await createEngine(config, { llama });
const speeds: Record<string, number[]> = {};
for (const m of models) await engine.loadModel(m.name);
for (let round = 0; round < 5; round++) {
  for (const m of models) {
    const start = performance.now();
    const result = await engine.complete({ model: m.name, prompt: "## I. The Holy Trinity\n\n", maxTokens: 200, temperature: 0.8, seed: round });
    (speeds[m.name] ??= []).push((result.tokens * 1000) / (performance.now() - start));
  }
}
for (const m of models) {
  const median = percentile(speeds[m.name]!, 50);
  rows.push({ measure: "engine tokens/s (1 thread)", model: m.name, value: Math.round(median), chars: null });
  summary[`tokens_per_second_${m.name}`] = Math.round(median);
}
await engine.close();

// 3. The demo entry, written by each model.
const domainWords = /\b(god|christ|lord|spirit|holy|grace|church|faith|father|son|salvation|sin|baptism|eucharist|saint|scripture|gospel|apostle|incarnation|trinity|divine|heaven|prayer|resurrection|cross|sacrament|virgin|theotokos|council|heresy|doctrine|orthodox|righteousness|mercy|soul|word|creation|flesh|glory)\b/gi;
if (!process.env.OPUS_BENCH_SKIP_ENTRY) {
  const tier = process.env.OPUS_BENCH_TIER ?? "S";
  for (const m of models) {
    const home = mkdtempSync(path.join(os.tmpdir(), "opus-bench-entry-"));
    const run = spawnSync(process.execPath, [path.join(repoRoot, "bin/opus.js"), "generate", "Theosis", "--tier", tier, "--category", "Theology", "--seed", "7", "--json", "--out", home], {
      cwd: home,
      env: { ...process.env, OPUS_MODEL: m.file, OPUS_HOME: path.join(home, ".opus") },
      encoding: "utf8",
      maxBuffer: 64 * 2 ** 20,
    });
    const last = run.stdout.trim().split("\n").pop() ?? "";
    if (run.status !== 0 && !last.startsWith("{")) {
      console.error(`${m.name}: opus generate failed (${run.status}): ${run.stderr.slice(-2000)}`);
      continue;
    }
    const result = JSON.parse(last) as { file: string; words: number };
    const markdown = readFileSync(result.file, "utf8");
    const doc = parseDocument(markdown);
    const words = countWords(markdown);
    const refs = extractScripture(doc.text, doc.blocks).length;
    const fathers = new Set(findAuthorMentions(markdown).map((x) => x.id)).size;
    const vocab = (markdown.match(domainWords) ?? []).length;
    const perThousand = Number(((vocab * 1000) / Math.max(1, words)).toFixed(1));
    rows.push({ measure: `tier ${tier} entry: words`, model: m.name, value: words, chars: null });
    rows.push({ measure: "entry: Scripture references", model: m.name, value: refs, chars: null });
    rows.push({ measure: "entry: Fathers named (distinct)", model: m.name, value: fathers, chars: null });
    rows.push({ measure: "entry: domain words per 1,000", model: m.name, value: perThousand, chars: null });
    Object.assign(summary, { [`entry_refs_${m.name}`]: refs, [`entry_fathers_${m.name}`]: fathers, [`entry_domain_per_1000_${m.name}`]: perThousand });
    rmSync(home, { recursive: true, force: true });
  }
}
report("domain-model", rows, summary);
