// The sources library in the pipeline, assembled as a node assembles it (createNodePipeline) on
// the test model: the node's validator verifies, flags and reports the quotations of a test entry;
// a written entry is grounded in the library (the blueprint's sources are library works, each
// section's prompts get primary passages with their citations, both recorded in the draft), its
// JSON carries the verification, and a run stopped mid-way and resumed writes the same entry.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadNodeConfig, type NodeConfig } from "../../gpu-node/config/index.ts";
import { openNodeDb, type NodeDb } from "../../gpu-node/db/client.ts";
import { createEngine, type Engine } from "../../gpu-node/engine/index.ts";
import { createNodePipeline, type NodePipeline } from "../../gpu-node/pipeline-deps.ts";
import { runPipeline, type PipelineDeps } from "../../gpu-node/pipeline/write-entry.ts";
import { openSourceLibrary } from "../../gpu-node/sources/index.ts";
import type { QuotationCheck } from "../../shared/validation/quotation/index.ts";
import { testNodeEnv } from "../support/gpu-node.ts";
import { fixtureEntries, fixtureSources } from "./helpers.ts";

const subject = { subject: "Holy Baptism", tier: "B" as const, category: "Sacraments", seed: 777 };

let dir: string;
let config: NodeConfig;
let db: NodeDb;
let engine: Engine;
let node: NodePipeline;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "opus-sources-pipeline-"));
  // No expansions or correction rounds: what is checked here is the grounding, and the tiny test
  // model, asked to go on at length, sometimes answers nothing three times running.
  const pipeline = { OPUS_PIPELINE__EXPANSION_ATTEMPTS: "0", OPUS_PIPELINE__CORRECTION_ROUNDS: "0", OPUS_PIPELINE__SECTION_ATTEMPTS: "6" };
  config = loadNodeConfig({ env: testNodeEnv(dir, { OPUS_SOURCES_DIR: path.join(dir, "sources"), ...pipeline }) });
  db = await openNodeDb(config.paths.database);
  // The library is filled before the node assembles its pipeline, as `opus sources import` does.
  const library = await openSourceLibrary(db, config);
  await library.import([fixtureSources]);
  await library.close();
  engine = await createEngine(config, { db });
  node = await createNodePipeline(config, db, engine);
});

afterAll(async () => {
  await node?.sources?.close();
  await node?.knowledge?.close();
  await engine?.close();
  db?.$client.close();
});

describe("the node's validator with the sources library", { timeout: 300_000 }, () => {
  it("verifies, flags as misattributed and reports unverified the quotations of a test entry", async () => {
    expect(node.sources).toBeDefined();
    const markdown = readFileSync(path.join(fixtureEntries, "quotations.md"), "utf8");
    const report = await node.deps.validator.validate(markdown, "B");
    const quotations = report.quotations as QuotationCheck[];
    expect(quotations.map((q) => [q.kind, q.attributedTo, q.status])).toEqual([
      ["patristic", "St. John Chrysostom", "verified"],
      ["patristic", "St. Basil the Great", "verified"],
      ["patristic", "St. Cyril of Jerusalem", "verified"],
      ["patristic", "St. Basil the Great", "misattributed"],
      ["patristic", "St. Gregory of Nyssa", "unverified"],
      ["scripture", "Matt. v. 8", "verified"],
      ["scripture", "Matt. v. 9", "misquoted"],
      ["scripture", "Phil. iv. 7", "verified"],
    ]);
    expect(quotations[3]!.passage).toMatchObject({ citation: "St. John Chrysostom, Homilies on Hebrews 9.1", author: "John Chrysostom", sourceUrl: "https://www.ccel.org/fathers2/NPNF1-14/npnf1-14-102.htm" });
    expect(quotations[4]!.closest?.citation).toMatch(/^St\. Gregory of Nyssa, On Pilgrimages/);
    expect(quotations[6]!.matches?.map((m) => m.reference)).toEqual(["Matthew 5:7"]);
    const rules = report.issues.map((i) => `${i.rule}:${i.severity}`);
    expect(rules).toContain("citation/quote-misattributed:error");
    expect(rules).toContain("citation/quote-unverified:warning");
    expect(rules).toContain("scripture/misquoted:warning");
    expect(rules.filter((r) => r === "citation/quote-verified:info")).toHaveLength(3);
  });
});

describe("an entry written with the sources library", { timeout: 300_000 }, () => {
  const run = (deps: PipelineDeps, id: string, signal = new AbortController().signal, draft: Parameters<typeof runPipeline>[2]["draft"] = null, onProgress: Parameters<typeof runPipeline>[2]["onProgress"] = () => undefined) =>
    runPipeline({ id, ...subject }, deps, { signal, onProgress, draft });

  it("is grounded in library works and primary passages, records them, and carries the verification", async () => {
    await node.deps.checkpoints.open({ id: "ent_grounded", ...subject, callback_url: "http://127.0.0.1:1/v1/node/entries/ent_grounded/events" });
    const result = await run(node.deps, "ent_grounded");
    const stored = (await node.deps.checkpoints.find("ent_grounded"))!.draft!;
    // The blueprint chose among the library's works, offered to it in the house style.
    expect(stored.sourceWorks!.length).toBeGreaterThan(0);
    expect(stored.sourceWorks!.every((w) => /^(?:St\. |Council|Didache)/.test(w))).toBe(true);
    for (const section of stored.plan!.sections) for (const source of section.sources) expect(stored.sourceWorks).toContain(source);
    // Each section's primary passages, with citations in the house style, recorded by numeral.
    const numerals = stored.plan!.sections.map((s) => s.numeral);
    expect(Object.keys(stored.primary!).sort()).toEqual([...numerals].sort());
    for (const passages of Object.values(stored.primary!)) {
      expect(passages.length).toBe(config.sources.primaryPassages);
      for (const p of passages) expect(p.citation).toMatch(/^[^,]+, \*[^*]+\*/);
    }
    const metadata = result.entry.metadata as { quotations?: unknown[]; primary_sources?: unknown; quality: { quotations?: { checked: number } } };
    expect(Array.isArray(metadata.quotations)).toBe(true);
    expect(metadata.primary_sources).toEqual(stored.primary);
    expect(metadata.quality.quotations?.checked).toBe(metadata.quotations!.length);
  });

  it("resumes a stopped run to the same entry, from the recorded sources and passages", async () => {
    await node.deps.checkpoints.open({ id: "ent_reference", ...subject, callback_url: "http://127.0.0.1:1/v1/node/entries/ent_reference/events" });
    const expected = await run(node.deps, "ent_reference");

    await node.deps.checkpoints.open({ id: "ent_stopped", ...subject, callback_url: "http://127.0.0.1:1/v1/node/entries/ent_stopped/events" });
    const stop = new AbortController();
    // Stopped once every section has its primary passages and some paragraphs are written.
    let asked = 0;
    const counting: PipelineDeps = { ...node.deps, sources: { works: (a, b) => node.deps.sources!.works(a, b), passages: (q) => (asked++, node.deps.sources!.passages(q)) } };
    await expect(
      run(counting, "ent_stopped", stop.signal, null, (p) => {
        if (p.status === "sections" && asked === p.sections.total && p.words > 150) stop.abort();
      }),
    ).rejects.toThrow();
    const stopped = (await node.deps.checkpoints.find("ent_stopped"))!.draft!;
    expect(stopped.primary).toBeDefined();
    // Were the library to answer differently now, the resumed run must still use what was recorded.
    const forgetful: PipelineDeps = {
      ...node.deps,
      sources: {
        works: async () => ["St. John Chrysostom, Homilies on Hebrews"],
        passages: async () => [{ citation: "St. John Chrysostom, *Homilies on Hebrews* 1.1", text: "Not what the first run was given.", sourceUrl: null }],
      },
    };
    const resumed = await run(forgetful, "ent_stopped", new AbortController().signal, stopped);
    expect(resumed.entry.markdown).toBe(expected.entry.markdown);
    expect((resumed.entry.metadata as { primary_sources?: unknown }).primary_sources).toEqual((expected.entry.metadata as { primary_sources?: unknown }).primary_sources);
  });
});
