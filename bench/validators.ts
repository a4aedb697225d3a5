// Throughput of all light (edge) validators over a 10,000-word entry, in MB/s on one core, and
// the share of each rule. Goal: at least 5 MB/s. Run: npx tsx bench/validators.ts [runs]
// Throughput is given per wall-clock median and per CPU time (the fairer figure on a busy machine).
//
// The entry is built from the two clean exemplars (test/validation/fixtures): their twelve sections,
// renumbered, repeated until the entry passes 10,000 words, with a few realistic faults mixed in so
// every rule has work to do. The repeats make structure/repetition report many duplicates, its
// worst case, so the figure is conservative.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fixMarkdown, lintMarkdownSync, parseDocument } from "../shared/validation/index.ts";
import { toRoman } from "../shared/text/roman.ts";
import { percentile, report, type Row } from "./report.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, "../test/validation/fixtures");

function sections(markdown: string): string[] {
  return markdown.split(/\n(?=## )/).slice(1).map((s) => s.replace(/^## [IVXLC]+\. /, ""));
}

export function buildEntry(minWords = 10_000): string {
  const pool = [...sections(readFileSync(path.join(fixtures, "theosis.md"), "utf8")), ...sections(readFileSync(path.join(fixtures, "holy-trinity.md"), "utf8"))];
  const faults = [
    "The Holy Spirit proceeds from the Father and the Son.",
    "St. Basil the Great, *The Ladder of Divine Ascent* 30, is cited here.",
    "See also Revelation 22:22 and John 1:1\u201314.",
    "It is important to note that the Fathers delve into this.",
  ];
  const parts = ["# Theosis and the Holy Trinity", ""];
  let n = 0;
  while (parseDocument(parts.join("\n")).wordCount < minWords) {
    const body = pool[n % pool.length]!;
    const fault = n % 3 === 0 ? `\n\n\u00a0\u00a0\u00a0\u00a0${faults[(n / 3) % faults.length]}` : "";
    parts.push(`## ${toRoman(n + 1)}. ${body.trimEnd()}${fault}`, "");
    n++;
  }
  return parts.join("\n");
}

function main(): void {
  const runs = Number(process.argv[2] ?? 40);
  const markdown = buildEntry();
  const bytes = new TextEncoder().encode(markdown).length;
  const doc = parseDocument(markdown);
  // Warm up: JIT, regular expression compilation, the parser's book-name cache.
  for (let i = 0; i < 5; i++) lintMarkdownSync(markdown, { place: "edge" });
  const totals: number[] = [];
  const perRule = new Map<string, number[]>();
  let issues = 0;
  // CPU time as well as wall time: on a shared machine the wall clock also counts the time other
  // processes hold the core, while CPU time is the work of this (single-threaded) run.
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const r = lintMarkdownSync(markdown, { place: "edge" });
    issues = r.issues.length;
    totals.push(r.timings.total!);
    for (const [id, ms] of Object.entries(r.timings)) {
      if (id === "total") continue;
      const list = perRule.get(id) ?? [];
      list.push(ms);
      perRule.set(id, list);
    }
  }
  const cpu = process.cpuUsage(cpuStart);
  const cpuMsPerRun = (cpu.user + cpu.system) / 1000 / runs;
  const median = percentile(totals, 50);
  const rows: Row[] = [...perRule.entries()]
    .map(([rule, ms]) => ({ rule, median_ms: round(percentile(ms, 50), 3), share_pct: round((100 * percentile(ms, 50)) / median, 1) }))
    .sort((a, b) => (b.median_ms as number) - (a.median_ms as number));
  // The same measure on the exemplars alone (distinct text, no repeats, no faults).
  const clean = ["theosis.md", "holy-trinity.md"].map((f) => readFileSync(path.join(fixtures, f), "utf8")).join("\n");
  const cleanBytes = new TextEncoder().encode(clean).length;
  for (let i = 0; i < 5; i++) lintMarkdownSync(clean, { place: "edge" });
  const cleanTimes: number[] = [];
  const cleanCpuStart = process.cpuUsage();
  for (let i = 0; i < runs; i++) cleanTimes.push(lintMarkdownSync(clean, { place: "edge" }).timings.total!);
  const cleanCpu = process.cpuUsage(cleanCpuStart);
  const cleanCpuMs = (cleanCpu.user + cleanCpu.system) / 1000 / runs;
  const fixStart = performance.now();
  const fixed = fixMarkdown(markdown);
  const fixMs = performance.now() - fixStart;
  report("validators", rows, {
    words: doc.wordCount,
    bytes,
    runs,
    issues,
    median_ms: round(median, 2),
    p90_ms: round(percentile(totals, 90), 2),
    cpu_ms: round(cpuMsPerRun, 2),
    mb_per_s_wall: round(bytes / 1e6 / (median / 1000), 2),
    mb_per_s_cpu: round(bytes / 1e6 / (cpuMsPerRun / 1000), 2),
    goal_mb_per_s: 5,
    exemplars_mb_per_s_cpu: round(cleanBytes / 1e6 / (cleanCpuMs / 1000), 2),
    fix_ms: round(fixMs, 1),
    fix_rounds: fixed.rounds,
  });
}

const round = (x: number, digits: number): number => Math.round(x * 10 ** digits) / 10 ** digits;

main();
