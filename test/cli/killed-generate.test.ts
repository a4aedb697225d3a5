// A user kills `opus generate` (SIGKILL, no chance to cancel) in the middle of an entry, then runs it
// again in the same folder. The second run writes its own entry; the entry the killed run left
// unfinished resumes on the embedded node and reports to this run's edge (its words grow there),
// never to the dead edge of the killed run: no "could not deliver" on the terminal, nothing blind.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { startEdge } from "../../edge/node.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { entryHangGuardMs, smallTier } from "../support/bounds.ts";
import { runCli } from "../support/cli.ts";
import { testModelPath } from "../support/models.ts";
import { exited } from "../support/node-restart.ts";
import { repoRoot } from "../support/paths.ts";

const small = smallTier("B", { minWords: 900, sections: 3, paragraphWords: 100 });

describe("a killed opus generate", () => {
  it("leaves its entry to resume with the next run's edge, and nothing reporting to the dead one", async () => {
    const cwd = mkdtempSync(path.join(os.tmpdir(), "opus-cli-killed-"));
    const env = { ...process.env, OPUS_MODEL: testModelPath, OPUS_EMBEDDER_CACHE: path.join(os.tmpdir(), "opus-test-embedder-cache"), OPUS_NODE_SECRET: newSigningSecret(), ...small };
    // 1. The first run, killed once it is writing sections.
    const first = spawn(process.execPath, [path.join(repoRoot, "bin/opus.js"), "generate", "Holy Icons", "--tier", "B", "--seed", "3"], { cwd, env });
    let stderr = "";
    const killedAt = await new Promise<number>((resolve, reject) => {
      first.stderr.on("data", (d: Buffer) => {
        stderr += d.toString();
        const writing = [...stderr.matchAll(/^sections: .*\((\d+)%, ([\d,]+) words/gm)].at(-1);
        const words = writing ? Number(writing[2]!.replace(/,/g, "")) : 0;
        if (words > 0 && first.exitCode === null && !first.killed) {
          first.kill("SIGKILL");
          resolve(words);
        }
      });
      first.on("exit", () => reject(new Error(`the first run ended before it was killed: ${stderr}`)));
    });
    await exited(first);

    // 2. The next run, in the same folder.
    const second = await runCli(["generate", "Hesychasm", "--tier", "B", "--seed", "4", "--json"], { cwd, env, timeoutMs: entryHangGuardMs });
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0);
    expect(second.stderr).not.toMatch(/could not deliver/);
    const lines = second.stdout.trim().split("\n");
    expect(lines, second.stdout).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ status: expect.stringMatching(/^(succeeded|needs_review)$/) });

    // 3. The killed run's entry went on, reported to the second run's edge: it has more words there now.
    const edge = await startEdge({ OPUS_DB_URL: `file:${path.join(cwd, ".opus/edge.db")}`, OPUS_NODE_SECRET: env.OPUS_NODE_SECRET }, { port: 0 });
    try {
      const key = readFileSync(path.join(cwd, ".opus/cli-key"), "utf8").trim();
      const list = (await (await fetch(`${edge.url}/v1/entries?limit=10`, { headers: { authorization: `Bearer ${key}` } })).json()) as { data: { id: string; subject: string }[] };
      const killed = list.data.find((e) => e.subject === "Holy Icons")!;
      const status = (await (await fetch(`${edge.url}/v1/entries/${killed.id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as { status: string; words: number };
      expect(status.words).toBeGreaterThan(killedAt);
    } finally {
      await edge.close();
    }
  }, 2 * entryHangGuardMs);
});
