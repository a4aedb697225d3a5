// `opus corpus add/list/search/check/remove/rebuild` against a real node database and index.
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerCorpus } from "../../cli/commands/corpus.ts";

const root = mkdtempSync(path.join(os.tmpdir(), "opus-corpus-cli-"));
const NB = "\u00A0".repeat(4);

beforeAll(() => {
  process.env.OPUS_NODE_DB = path.join(root, "gpu-node.db");
  process.env.OPUS_KNOWLEDGE_DIR = path.join(root, "knowledge");
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `opus corpus ...` in this process and returns what it printed. */
async function opus(...args: string[]): Promise<{ stdout: string; stderr: string; error?: Error; exitCode: number }> {
  const program = new Command("opus").exitOverride().configureOutput({ writeErr: () => undefined });
  registerCorpus(program);
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  process.exitCode = 0;
  let error: Error | undefined;
  try {
    await program.parseAsync(["node", "opus", "corpus", ...args]);
  } catch (e) {
    error = e as Error;
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
  }
  const exitCode = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { stdout: out.join(""), stderr: err.join(""), ...(error ? { error } : {}), exitCode };
}

const mine = path.join(root, "The Jordan.md");
writeFileSync(
  mine,
  `# The Baptism in the Jordan\n\n## I. The Feast\n\n${NB}At the Jordan the voice of the Father bore witness to the Son, and the Spirit descended in the form of a dove, so that the Church calls the feast Theophany, the manifestation of the Trinity. The waters that once drowned the world are sanctified by the one who enters them without needing cleansing.\n`,
);

describe("opus corpus", () => {
  it("adds a user entry beside the golden corpus and lists both", async () => {
    const added = await opus("add", mine);
    expect(added.error).toBeUndefined();
    expect(added.stdout).toMatch(/^indexed user\/the-jordan "The Baptism in the Jordan" \(1 passages\)/);
    expect(existsSync(path.join(root, "knowledge", "retrieval.usearch"))).toBe(true);
    const again = await opus("add", mine);
    expect(again.stdout).toMatch(/^unchanged user\/the-jordan/);
    const list = await opus("list", "--json");
    const docs = JSON.parse(list.stdout) as { id: string; kind: string }[];
    expect(docs.map((d) => d.id)).toContain("user/the-jordan");
    expect(docs.filter((d) => d.kind === "golden").length).toBeGreaterThanOrEqual(6);
  });

  it("searches and checks against what was added", async () => {
    const search = await opus("search", "the baptism of Christ in the Jordan at Theophany", "-k", "2");
    expect(search.stdout.split("\n")[0]).toContain("user/the-jordan");
    const copy = path.join(root, "copy.md");
    writeFileSync(copy, `# Copy\n\n${NB}At the Jordan the voice of the Father bore witness to the Son, and the Spirit descended in the form of a dove, so that the Church calls the feast Theophany.\n`);
    const check = await opus("check", copy);
    expect(check.exitCode).toBe(1);
    expect(check.stdout).toMatch(/^verbatim\t\d+-\d+\t\d+ words copied verbatim from "The Baptism in the Jordan"/);
  });

  it("refuses missing files and unknown ids with clear errors", async () => {
    const missing = await opus("add", path.join(root, "nothere.md"));
    expect(missing.error?.message).toMatch(/No such file: .*nothere\.md/);
    const untitled = path.join(root, "untitled.md");
    writeFileSync(untitled, "No title line here.\n");
    expect((await opus("add", untitled)).error?.message).toMatch(/does not start with a "# Title" line/);
    const badK = await opus("search", "icons", "-k", "0");
    expect(badK.error?.message).toMatch(/expected a whole number/);
    const unknown = await opus("remove", "user/the-jordan", "user/nope");
    expect(unknown.stdout).toContain("removed user/the-jordan");
    expect(unknown.error?.message).toMatch(/No document with id user\/nope/);
  });

  it("rebuilds with another quantization", async () => {
    const rebuilt = await opus("rebuild", "--quantization", "f16");
    expect(rebuilt.error).toBeUndefined();
    expect(rebuilt.stdout).toMatch(/rebuilt \d+ documents into \d+ vectors with opus-static-glove-100d@\d+\S* \(f16\)/);
    const list = await opus("list");
    expect(list.stderr).toMatch(/100 dimensions, f16/);
  });
});
