// `npm run bench [-- name ...]`: runs the named benchmarks (all of them without names), one after
// another in their own processes, so one benchmark's loaded models never skew the next one's figures.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(benchDir)
  .filter((f) => f.endsWith(".ts") && !["run.ts", "report.ts"].includes(f))
  .map((f) => f.slice(0, -3))
  .sort();
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`Unknown benchmark ${unknown.join(", ")}. Available: ${available.join(", ")}`);
  process.exit(2);
}
const failed: string[] = [];
for (const name of asked.length > 0 ? asked : available) {
  console.log(`\n# bench/${name}.ts`);
  const run = spawnSync(process.execPath, ["--import", "tsx", path.join(benchDir, `${name}.ts`)], { stdio: "inherit" });
  if (run.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(", ")}`);
  process.exit(1);
}
