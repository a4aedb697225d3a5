// The sources library at scale: all of ../shared/sources (84 authors and councils, 2,442 works,
// 15.9 million words; the World English Bible, 37,457 verses) imported into a fresh node database
// with the built-in embedder, then queried.
//   import: wall and CPU time of reading (text, passages, FTS5) and of embedding (usearch), words
//           per second, peak memory (RSS), size on disk (database and vector index);
//   re-import of the unchanged library (every work skipped);
//   query latency (median, p99, one at a time): quotation lookup (full-text candidates for a
//           quotation and the "nearly" scoring of each, as the rules do) and search by meaning.
// Uses ../shared/sources when present (and says so), else the fixture library under test/fixtures.
// CPU-heavy: run it with `nice -n 10 npx tsx bench/sources-import.ts [--queries 200] [--keep DIR]`.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openNodeDb } from "../gpu-node/db/client.ts";
import { seededRandom } from "../gpu-node/knowledge/paraphrase.ts";
import { createSourceLibrary, type ImportPhase } from "../gpu-node/sources/index.ts";
import { nearly } from "../shared/validation/quotation/nearly.ts";
import { tokenize } from "../shared/validation/quotation/normalize.ts";
import { percentile, report } from "./report.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
};
const QUERIES = Number(arg("queries") ?? 200);
const shared = path.resolve(root, "../shared/sources");
const usingShared = existsSync(shared);
const sourcesDir = usingShared ? shared : path.join(root, "test/fixtures/sources");
console.log(usingShared ? "Library: ../shared/sources (all of it)." : "../shared/sources is absent: importing the fixture library test/fixtures/sources instead (figures are not the scale ones).");

const keep = arg("keep");
const dir = keep ? path.resolve(keep) : mkdtempSync(path.join(os.tmpdir(), "opus-sources-bench-"));
const dbFile = path.join(dir, "gpu-node.db");
const vectorsDir = path.join(dir, "sources");
const cacheDir = path.join(os.tmpdir(), "opus-test-embedder-cache");

// Peak memory: sampled, and the kernel's own high-water mark at the end.
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);

const db = await openNodeDb(dbFile);
const library = await createSourceLibrary({ db, dir: vectorsDir, embedder: { cacheDir } });
// Load the embedder before the clock starts: its one-time build is not the import's cost.
await library.searchMeaning("warm up", { k: 1 }).catch(() => undefined);

const phases = new Map<ImportPhase, { start: number; end: number; cpuStart: NodeJS.CpuUsage; cpu?: NodeJS.CpuUsage }>();
let current: ImportPhase | undefined;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const summary = await library.import([sourcesDir], {
  onProgress: (p) => {
    if (p.phase === current) return;
    const now = performance.now();
    if (current) {
      const c = phases.get(current)!;
      c.end = now;
      c.cpu = process.cpuUsage(c.cpuStart);
    }
    phases.set(p.phase, { start: now, end: now, cpuStart: process.cpuUsage() });
    current = p.phase;
  },
});
const wall = (performance.now() - t0) / 1000;
const cpuAll = process.cpuUsage(cpu0);
if (current) {
  const c = phases.get(current)!;
  c.end = performance.now();
  c.cpu = process.cpuUsage(c.cpuStart);
}
const seconds = (p: ImportPhase) => {
  const c = phases.get(p);
  return c ? (c.end - c.start) / 1000 : 0;
};
const cpuSeconds = (p: ImportPhase) => {
  const c = phases.get(p)?.cpu;
  return c ? (c.user + c.system) / 1e6 : 0;
};

const sizeOf = (target: string): number => {
  if (!existsSync(target)) return 0;
  const s = statSync(target);
  return s.isDirectory() ? readdirSync(target).reduce((n, f) => n + sizeOf(path.join(target, f)), 0) : s.size;
};
// Fold the write-ahead log into the database so its size is the database's.
await db.$client.execute("PRAGMA wal_checkpoint(TRUNCATE)");
const dbBytes = sizeOf(dbFile) + sizeOf(`${dbFile}-wal`);
const vectorBytes = sizeOf(vectorsDir);

const r0 = performance.now();
const again = await library.import([sourcesDir]);
const reimport = (performance.now() - r0) / 1000;

// --- queries --------------------------------------------------------------------------------------
const random = seededRandom(13);
const rows = (await db.$client.execute("SELECT id, text FROM src_passages WHERE words >= 40 ORDER BY id")).rows.map((r) => ({ id: Number(r.id), text: String(r.text) }));
const quotes: string[] = [];
const questions: string[] = [];
for (let i = 0; i < QUERIES; i++) {
  const p = rows[Math.floor(random() * rows.length)]!;
  const words = p.text.replace(/(?<=[\p{L}.,;:!?])\d+/gu, "").split(/\s+/);
  const from = Math.floor(random() * Math.max(1, words.length - 25));
  quotes.push(words.slice(from, from + 12 + Math.floor(random() * 14)).join(" "));
  questions.push(words.slice(from, from + 8).join(" "));
}
const lookupMs: number[] = [];
const meaningMs: number[] = [];
let found = 0;
for (let i = 0; i < QUERIES; i++) {
  const q = quotes[i]!;
  const a = performance.now();
  const candidates = await library.lookup.quotationCandidates(q, { limit: 24 });
  let best = 0;
  for (const c of candidates) best = Math.max(best, nearly(q, tokenize(c.text)).score);
  lookupMs.push(performance.now() - a);
  if (best >= 0.99) found++;
  const b = performance.now();
  await library.searchMeaning(questions[i]!, { k: 8 });
  meaningMs.push(performance.now() - b);
}
clearInterval(sampler);
const maxRss = Math.max(peakRss, process.resourceUsage().maxRSS * 1024);

const stats = await library.stats();
await library.close();
db.$client.close();
if (!keep) rmSync(dir, { recursive: true, force: true });

const mib = (b: number) => Math.round((b / 2 ** 20) * 10) / 10;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
report(
  "sources-import",
  [
    { measure: "import: reading (text, passages, FTS5)", seconds: round(seconds("reading")), cpuSeconds: round(cpuSeconds("reading")) },
    { measure: "import: embedding (usearch)", seconds: round(seconds("embedding")), cpuSeconds: round(cpuSeconds("embedding")) },
    { measure: "import: total", seconds: round(wall), cpuSeconds: round((cpuAll.user + cpuAll.system) / 1e6) },
    { measure: "re-import, nothing changed", seconds: round(reimport), cpuSeconds: null },
    { measure: `quotation lookup, median / p99 ms (${QUERIES})`, seconds: round(percentile(lookupMs, 50), 2), cpuSeconds: round(percentile(lookupMs, 99), 2) },
    { measure: `search by meaning, median / p99 ms (${QUERIES})`, seconds: round(percentile(meaningMs, 50), 2), cpuSeconds: round(percentile(meaningMs, 99), 2) },
  ],
  {
    library: usingShared ? "../shared/sources" : "test/fixtures/sources (../shared absent)",
    works: stats.works,
    passages: stats.passages,
    vectors: stats.vectors,
    verses: stats.verses,
    words: summary.words,
    wordsPerSecond: Math.round(summary.words / wall),
    wordsPerCpuSecond: Math.round(summary.words / ((cpuAll.user + cpuAll.system) / 1e6)),
    peakRssMiB: mib(maxRss),
    databaseMiB: mib(dbBytes),
    vectorIndexMiB: mib(vectorBytes),
    reimportUnchanged: again.unchanged,
    exactQuotationsFoundAt1: `${found}/${QUERIES}`,
    lookupMedianMs: round(percentile(lookupMs, 50), 2),
    lookupP99Ms: round(percentile(lookupMs, 99), 2),
    meaningMedianMs: round(percentile(meaningMs, 50), 2),
    meaningP99Ms: round(percentile(meaningMs, 99), 2),
    load: os.loadavg().map((l) => round(l, 1)).join(" "),
  },
);
