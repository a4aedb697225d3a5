// Shared output for benchmarks: a readable table on stdout and the same figures as JSON under
// bench/results/<name>.json. Benchmarks report ratios measured in one run, never absolute gates.
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export type Row = Record<string, string | number | boolean | null>;

const resultsDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "results");

export function machine(): Row {
  return { cpus: os.cpus().length, cpu: os.cpus()[0]?.model ?? "unknown", memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version };
}

export function report(name: string, rows: Row[], summary: Row = {}): void {
  console.log(`\n## ${name}`);
  console.table(rows);
  if (Object.keys(summary).length > 0) console.table([summary]);
  mkdirSync(resultsDir, { recursive: true });
  const file = path.join(resultsDir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, at: new Date().toISOString(), machine: machine(), rows, summary }, null, 2) + "\n");
  console.log(`(written to ${path.relative(process.cwd(), file)})`);
}

/** Median and percentile of a list of numbers (linear interpolation). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}
