// The sources library on the fixture: import (incremental, changed works replaced, resumable
// after a real process is killed), passages with their place, full-text and vector search, remove.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cutPassages } from "../../gpu-node/sources/passages.ts";
import { readTextWork, SourceFormatError } from "../../gpu-node/sources/formats.ts";
import { createSourceLibrary } from "../../gpu-node/sources/index.ts";
import { openNodeDb } from "../../gpu-node/db/client.ts";
import { VectorIndex } from "../../gpu-node/knowledge/vector-index.ts";
import { repoRoot } from "../support/paths.ts";
import { embedderCache, fixtureLibrary, fixtureSources, openLibrary, type FixtureLibrary } from "./helpers.ts";

describe("passages", () => {
  it("keep their paragraph, section number and offsets, and leave the footnotes out", () => {
    const text = "Homily IX.\n\n[1.] You have heard how much Paul found fault.1 And with good reason.\n\nI am afraid that this might fitly be said to you also.\n\n2. But this is no trifling loss, my brethren.\n\n1: A footnote by the translator, not the Father.\n\n2: Another note.";
    const passages = cutPassages(text);
    expect(passages.map((p) => [p.paragraph, p.section])).toEqual([
      [2, "1"],
      [3, "1"],
      [4, "2"],
    ]);
    for (const p of passages) expect(text.slice(p.start, p.end)).toBe(p.text);
    expect(passages.some((p) => p.text.includes("translator"))).toBe(false);
  });

  it("cut a long paragraph at sentence ends, each piece keeping the paragraph", () => {
    const long = Array.from({ length: 60 }, (_, i) => `This is sentence ${i} of a long paragraph about grace.`).join(" ");
    const passages = cutPassages(`Intro words for a start.\n\n${long}`, { maxWords: 100 });
    expect(passages.length).toBeGreaterThan(3);
    expect(passages.slice(1).every((p) => p.paragraph === 2 && p.words <= 110 && /\.$/.test(p.text))).toBe(true);
  });
});

describe("formats", () => {
  it("read a Markdown work's front matter, and name the fix when it has none", () => {
    const work = readTextWork(path.join(fixtureSources, "fathers/didache.md"));
    expect(work).toMatchObject({ author: "Didache", work: "Didache", year: 100, licence: "Public domain (ANF, 1886)" });
    expect(work.text).toMatch(/^The Lord's Teaching/);
    const dir = mkdtempSync(path.join(os.tmpdir(), "opus-sources-format-"));
    writeFileSync(path.join(dir, "bare.md"), "Just text, no front matter.\n");
    expect(() => readTextWork(path.join(dir, "bare.md"))).toThrow(/no front matter\. Start the file with/);
  });
});

describe("the library on the fixture", () => {
  let lib: FixtureLibrary;
  beforeAll(async () => {
    lib = await fixtureLibrary({ vectors: true });
  });
  afterAll(() => lib.close());

  it("holds every work and verse, with passages that keep their place", async () => {
    const stats = await lib.library.stats();
    expect(stats).toMatchObject({ works: 10, verses: 279, translations: ["web"] });
    expect(stats.vectors).toBe(stats.passages);
    const [hit] = await lib.library.searchText("You have heard how much Paul found fault with the Hebrews for wishing to be always learning", { k: 1 });
    expect(hit!.passage).toMatchObject({
      author: "John Chrysostom",
      authorRef: "john-chrysostom",
      title: "Homilies on Hebrews",
      part: "Homily 9",
      section: "1",
      year: 407,
      sourceUrl: "https://www.ccel.org/fathers2/NPNF1-14/npnf1-14-102.htm",
      citation: "St. John Chrysostom, Homilies on Hebrews 9.1",
    });
    // The offsets point into the work's text as it was imported.
    const line = readFileSync(path.join(fixtureSources, "fathers/john-chrysostom.jsonl"), "utf8").split("\n").map((l) => (l ? JSON.parse(l) : null)).find((w) => w?.work === "Homilies / On Hebrews / Homily 9");
    expect(line.text.slice(hit!.passage.start, hit!.passage.end)).toBe(hit!.passage.text);
    expect(hit!.passage.paragraph).toBe(line.text.slice(0, hit!.passage.start).split(/\n[ \t]*\n/).length);
  });

  it("finds passages by meaning, and by author", async () => {
    const results = await lib.library.searchMeaning("baptism, the enlightenment of those who are to be illuminated", { k: 3 });
    expect(results).toHaveLength(3);
    expect(results.every((r) => r.via === "meaning" && r.score > 0 && r.passage.citation.length > 0)).toBe(true);
    const basil = await lib.library.searchMeaning("the quiet of solitude and the mind at rest", { k: 2, authorRefs: ["basil-the-great"] });
    expect(basil.map((r) => r.passage.authorRef)).toEqual(["basil-the-great", "basil-the-great"]);
    const verses = await lib.library.lookup.verses({ book: "Phil", chapter: 4, verse: 7 });
    expect(verses.map((v) => v.text)).toEqual(["And the peace of God, which surpasses all understanding, will guard your hearts and your thoughts in Christ Jesus."]);
  });

  it("skips unchanged works, replaces a changed one, and drops its old vectors", async () => {
    const again = await lib.library.import([fixtureSources]);
    expect(again).toMatchObject({ added: 0, replaced: 0, unchanged: 10, books: { added: 0, replaced: 0, unchanged: 7 }, passages: 0, vectors: 0 });
    const changedDir = mkdtempSync(path.join(os.tmpdir(), "opus-sources-changed-"));
    const file = path.join(changedDir, "gregory-of-nyssa.jsonl");
    const work = JSON.parse(readFileSync(path.join(fixtureSources, "fathers/gregory-of-nyssa.jsonl"), "utf8").trim());
    const before = (await lib.library.searchText("pilgrimage Jerusalem", { k: 20, authorRefs: ["gregory-of-nyssa"] })).map((r) => r.passage.id);
    // Footnotes end a part, so the new paragraph goes first.
    writeFileSync(file, `${JSON.stringify({ ...work, text: `A first paragraph added by a later editor of this file, about pilgrims.\n\n${work.text}` })}\n`);
    const changed = await lib.library.import([file]);
    expect(changed).toMatchObject({ added: 0, replaced: 1, unchanged: 0 });
    const after = await lib.library.searchText("pilgrims later editor", { k: 20, authorRefs: ["gregory-of-nyssa"] });
    expect(after.some((r) => r.passage.text.includes("later editor"))).toBe(true);
    expect(after.some((r) => before.includes(r.passage.id))).toBe(false);
    const stats = await lib.library.stats();
    expect(stats.works).toBe(10);
    expect(stats.vectors).toBe(stats.passages);
  });

  it("removes works by id prefix and translations, and says which ids matched nothing", async () => {
    const removed = await lib.library.remove(["didache", "bible/web", "no-such-author"]);
    expect(removed).toEqual({ works: 1, verses: 279, unknown: ["no-such-author"] });
    const stats = await lib.library.stats();
    expect(stats).toMatchObject({ works: 9, verses: 0, translations: [] });
    expect(stats.vectors).toBe(stats.passages);
    expect(await lib.library.searchText("Two Ways one of life and one of death", { k: 5, authorRefs: ["library:didache"] })).toEqual([]);
  });
});

describe("an import killed part way", () => {
  const root = mkdtempSync(path.join(os.tmpdir(), "opus-sources-kill-"));
  const big = path.join(root, "library");

  beforeAll(() => {
    // Thirty copies of the fixture's works under other titles: enough to kill the import mid-way.
    for (const file of readdirSync(path.join(fixtureSources, "fathers")).filter((f) => f.endsWith(".jsonl"))) {
      const works = readFileSync(path.join(fixtureSources, "fathers", file), "utf8").trim().split("\n").map((l) => JSON.parse(l));
      for (let copy = 0; copy < 30; copy++) {
        const dir = path.join(big, `copy-${String(copy).padStart(2, "0")}`);
        mkdirSync(dir, { recursive: true });
        if (copy === 0) cpSync(path.join(fixtureSources, "bible"), path.join(dir, "bible"), { recursive: true });
        writeFileSync(path.join(dir, file), works.map((w) => JSON.stringify({ ...w, work: `${w.work} (copy ${copy})` })).join("\n") + "\n");
      }
    }
  });

  /** `opus sources import` as a real process, killed with SIGKILL when stderr shows `when`. */
  function importUntil(db: string, dir: string, when: RegExp | null): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(repoRoot, "bin/opus.js"), "sources", "import", big, "--db", db, "--dir", dir], {
        cwd: root,
        env: { ...process.env, OPUS_EMBEDDER_CACHE: embedderCache },
      });
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
        if (when && when.test(stderr)) child.kill("SIGKILL");
      });
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ code, signal, stderr }));
    });
  }

  it("resumes: the works written stay, the rest are imported, and every passage gets one vector", async () => {
    const db = path.join(root, "killed.db");
    const dir = path.join(root, "killed-vectors");
    const first = await importUntil(db, dir, /reading [3-9]0%/);
    expect(first.signal).toBe("SIGKILL");
    const handle = await openNodeDb(db);
    const partial = Number((await handle.$client.execute("SELECT count(*) AS n FROM src_works")).rows[0]!.n);
    handle.$client.close();
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(270);

    // Killed again while embedding, then run to the end.
    const second = await importUntil(db, dir, /embedding [1-9]\d*\/\d+ passages/);
    expect(second.signal === "SIGKILL" || second.code === 0).toBe(true);
    const third = await importUntil(db, dir, null);
    expect(third.code).toBe(0);

    // A clean import of the same folder, for comparison.
    const clean = await importUntil(path.join(root, "clean.db"), path.join(root, "clean-vectors"), null);
    expect(clean.code).toBe(0);
    const summary = async (file: string, vectors: string) => {
      const handle = await openNodeDb(file);
      const library = await createSourceLibrary({ db: handle, dir: vectors, embedder: false });
      const listing = await library.list();
      const stats = await library.stats();
      const ids = await library.store.passageIds();
      const index = VectorIndex.open(path.join(vectors, "passages.usearch"));
      const embedded = ids.filter((id) => index.contains(id)).length;
      await library.close();
      handle.$client.close();
      return { listing, works: stats.works, passages: stats.passages, verses: stats.verses, embedded, indexSize: index.size };
    };
    const resumed = await summary(db, dir);
    const reference = await summary(path.join(root, "clean.db"), path.join(root, "clean-vectors"));
    expect(resumed.works).toBe(270); // 9 works of JSON Lines, 30 times
    expect(resumed.listing).toEqual(reference.listing);
    expect({ passages: resumed.passages, verses: resumed.verses }).toEqual({ passages: reference.passages, verses: reference.verses });
    expect(resumed.embedded).toBe(resumed.passages);
    expect(resumed.indexSize).toBe(resumed.passages);
  }, 600_000);
});

describe("bad input", () => {
  it("names the file, the line and the field", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "opus-sources-bad-"));
    const file = path.join(dir, "bad.jsonl");
    writeFileSync(file, `${JSON.stringify({ author: "Basil of Caesarea", work: "On Fasting", text: "Fasting is good." })}\n${JSON.stringify({ author: "Basil of Caesarea", text: "No title." })}\n`);
    const { library, close } = await openLibrary(dir, false);
    try {
      await expect(library.import([file])).rejects.toThrow(SourceFormatError);
      await expect(library.import([file])).rejects.toThrow(/bad\.jsonl:2: work: missing/);
      await expect(library.import([path.join(dir, "missing.jsonl")])).rejects.toThrow(/missing\.jsonl: no such file or folder/);
      // The good line before the bad one is in: an import picks up from there.
      expect((await library.stats()).works).toBe(1);
    } finally {
      await close();
    }
  });
});
