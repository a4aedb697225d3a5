// Runs once before the suite: fail fast, with the fix, when the test model is missing, and build the
// real Worker bundle that the Miniflare tests load. Importing models.ts also writes the random-weights
// test model into the temp folder, once, before the test processes start.
import { execFileSync } from "node:child_process";
import { assertTestModel } from "./models.ts";
import { repoRoot } from "./paths.ts";

export default function setup(): void {
  assertTestModel();
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", "dist/worker"], {
    cwd: repoRoot,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  });
}
