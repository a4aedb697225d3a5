import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { fixturesDir } from "./helpers.ts";

const run = promisify(execFile);
const opus = path.resolve(fixturesDir, "../../../bin/opus.js");

async function lint(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [opus, "lint", ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const dirty = "# Theosis\n\nTheosis — union with God — is the goal (John 1:99).\n";

describe("opus lint", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "opus-lint-"));
  const clean = path.join(fixturesDir, "theosis.md");

  it("exits 0 on a clean entry and prints a summary", async () => {
    const r = await lint(clean);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/theosis\.md: passed \(score 1\.00; 0 critical, 0 errors, 0 warnings, 0 info\)/);
  });

  it("exits 1 with --json output when an entry has errors", async () => {
    const file = path.join(dir, "dirty.md");
    writeFileSync(file, dirty);
    const r = await lint("--json", file, clean);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as { file: string; passed: boolean; score: number; issues: Record<string, unknown>[] }[];
    expect(results.map((x) => [path.basename(x.file), x.passed])).toEqual([
      ["dirty.md", false],
      ["theosis.md", true],
    ]);
    const issues = results[0]!.issues;
    expect(Object.keys(issues[0]!).sort()).toEqual(["column", "endColumn", "endLine", "fixable", "line", "message", "rule", "severity", "suggestion"]);
    expect(issues.find((i) => i.rule === "scripture/invalid-reference")).toMatchObject({ severity: "error", line: 3, column: 41, endLine: 3, endColumn: 50, fixable: false });
    expect(issues.filter((i) => i.rule === "style/em-dash").map((i) => [i.line, i.column, i.fixable])).toEqual([
      [3, 9, true],
      [3, 26, true],
    ]);
  });

  it("fixes files in place with --fix and reports what remains", async () => {
    const file = path.join(dir, "fixme.md");
    writeFileSync(file, dirty);
    const r = await lint("--fix", file);
    expect(r.code).toBe(1); // John 1:99 cannot be fixed automatically
    const text = readFileSync(file, "utf8");
    expect(text).toBe("# Theosis\n\n\u00a0\u00a0\u00a0\u00a0Theosis, union with God, is the goal (John 1:99).\n");
    expect(r.stdout).toMatch(/scripture\/invalid-reference/);
    expect(r.stdout).toMatch(/\d+ fixed\)/);
  });

  it("exits 2 on bad usage", async () => {
    expect((await lint()).code).toBe(2);
    expect((await lint("--tier", "Z", clean)).code).toBe(2);
    const missing = await lint(path.join(dir, "missing.md"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*missing\.md: no such file/);
    const badConfig = path.join(dir, "bad.yaml");
    writeFileSync(badConfig, "validation:\n  rules:\n    style/em-dash: { severity: fatal }\n");
    const r = await lint("--config", badConfig, clean);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'rules\.style\/em-dash\.severity' must be one of/);
  });

  it("applies the tier's length targets with --tier, configurable per tier with --config", async () => {
    const config = path.join(dir, "opus.yaml");
    writeFileSync(config, "validation:\n  tiers:\n    S:\n      structure/word-count: false\n");
    const [plain, configured] = await Promise.all([lint("--json", "--tier", "S", clean), lint("--tier", "S", "--config", config, clean)]);
    expect(plain.code).toBe(1);
    expect(JSON.parse(plain.stdout)[0].issues.map((i: { rule: string }) => i.rule)).toContain("structure/word-count");
    expect(configured.code).toBe(0);
  });
});
