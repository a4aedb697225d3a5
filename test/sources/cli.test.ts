// `opus sources import|list|search|remove` and `opus lint --sources`, as a user runs them.
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../support/cli.ts";
import { embedderCache, fixtureEntries, fixtureSources } from "./helpers.ts";

const cwd = mkdtempSync(path.join(os.tmpdir(), "opus-sources-cli-"));
const env = { OPUS_EMBEDDER_CACHE: embedderCache, OPUS_CACHE_DIR: path.join(cwd, "cache"), OPUS_NODE_DB: path.join(cwd, "gpu-node.db") };
const opus = (...args: string[]) => runCli(args, { cwd, env, timeoutMs: 300_000 });

describe("opus sources", { timeout: 300_000 }, () => {
  it("imports a folder, then skips what did not change", async () => {
    const first = await opus("sources", "import", fixtureSources, "--dir", path.join(cwd, "vectors"));
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/imported 7 file\(s\) in [\d.]+ s: 10 work\(s\) added, 0 replaced, 0 unchanged; 7 book\(s\) of Scripture added, 0 replaced, 0 unchanged; 28,131 words in \d+ new passages, \d+ embedded/);
    expect(first.stderr).toMatch(/reading 100%/);
    expect(first.stderr).toMatch(/skipped .*README\.md: no front matter/);
    const again = await opus("sources", "import", fixtureSources, "--dir", path.join(cwd, "vectors"), "--json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ added: 0, replaced: 0, unchanged: 10, passages: 0, vectors: 0 });
  });

  it("lists, searches by words and by meaning, and removes", async () => {
    const list = await opus("sources", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^john-chrysostom\/homilies\/on-hebrews\tJohn Chrysostom\tHomilies on Hebrews\t2 part\(s\)\t8,965 words\t\d+ passages$/m);
    expect(list.stdout).toMatch(/^bible\/web\t7 books\t279 verses$/m);
    const text = await opus("sources", "search", "found fault with the Hebrews for wishing to be always learning", "--text", "-k", "1");
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^text\t\tSt\. John Chrysostom, Homilies on Hebrews 9\.1\thttps:\/\/www\.ccel\.org\/fathers2\/NPNF1-14\/npnf1-14-102\.htm$/m);
    const meaning = await opus("sources", "search", "solitude quiets the passions of the soul", "--meaning", "--author", "St. Basil", "--dir", path.join(cwd, "vectors"), "--json");
    expect(meaning.code).toBe(0);
    const hits = JSON.parse(meaning.stdout) as { via: string; citation: string }[];
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.via === "meaning" && h.citation.startsWith("St. Basil the Great, Letter"))).toBe(true);
    const removed = await opus("sources", "remove", "gregory-of-nyssa", "--dir", path.join(cwd, "vectors"));
    expect(removed.code).toBe(0);
    expect(removed.stdout).toBe("removed 1 work(s) and 0 verse(s)\n");
    const unknown = await opus("sources", "remove", "no-such-work", "--dir", path.join(cwd, "vectors"));
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/nothing in the library matches no-such-work \(see `opus sources list`\)/);
  });

  it("names the file, line and field of bad input, and exits 2", async () => {
    const bad = path.join(cwd, "bad.jsonl");
    writeFileSync(bad, '{"author": "Basil of Caesarea", "work": "On Fasting"}\n');
    const r = await opus("sources", "import", bad, "--no-vectors");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bad\.jsonl:1: text: .*a work needs "author", "work" and "text"/);
  });
});

describe("opus lint --sources", { timeout: 300_000 }, () => {
  const entry = path.join(fixtureEntries, "quotations.md");

  it("verifies, flags misattributed and reports unverified quotations, and misquoted Scripture", async () => {
    const r = await opus("lint", "--json", "--sources", fixtureSources, entry);
    expect(r.code).toBe(1); // the misattribution is an error
    const [result] = JSON.parse(r.stdout) as { issues: { rule: string; severity: string; message: string; suggestion: string | null }[]; quotations: { status: string; kind: string; passage?: { citation: string } }[] }[];
    const ours = result!.issues.filter((i) => i.rule.startsWith("citation/") || i.rule === "scripture/misquoted");
    expect(ours.map((i) => [i.rule, i.severity])).toEqual([
      ["citation/quote-verified", "info"],
      ["citation/quote-verified", "info"],
      ["citation/quote-verified", "info"],
      ["citation/quote-misattributed", "error"],
      ["citation/quote-unverified", "warning"],
      ["scripture/misquoted", "warning"],
    ]);
    expect(ours[3]!.message).toMatch(/is not St\. Basil the Great's: it is in St\. John Chrysostom, Homilies on Hebrews 9\.1\./);
    expect(ours[5]!.suggestion).toBe("These are the words of Matthew 5:7: cite Matthew 5:7.");
    expect(result!.quotations.map((q) => `${q.kind}:${q.status}`)).toEqual([
      "patristic:verified",
      "patristic:verified",
      "patristic:verified",
      "patristic:misattributed",
      "patristic:unverified",
      "scripture:verified",
      "scripture:misquoted",
      "scripture:verified",
    ]);
    expect(result!.quotations[0]!.passage!.citation).toBe("St. John Chrysostom, Homilies on Hebrews 9.1");
  });

  it("reads the library once: a second lint imports nothing again, and a bad path is a usage error", async () => {
    const again = await opus("lint", "--sources", fixtureSources, entry);
    expect(again.code).toBe(1);
    expect(again.stderr).not.toMatch(/reading the --sources library/);
    expect(again.stdout).toMatch(/citation\/quote-misattributed/);
    const missing = await opus("lint", "--sources", path.join(cwd, "nowhere"), entry);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--sources .*nowhere: .*no such file or folder/);
    const plain = await opus("lint", entry);
    expect(plain.stdout).not.toMatch(/citation\/quote/);
  });
});
