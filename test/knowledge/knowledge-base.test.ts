// The knowledge base over the golden corpus (corpus/golden): retrieval finds the exemplar on a
// subject, the index survives save and reopen, another embedder is refused, and the uniqueness
// check flags pasted and paraphrased passages but not shared Scripture quotations.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openNodeDb, type NodeDb } from "../../gpu-node/db/client.ts";
import { defaultGoldenDir, listMarkdownFiles, readCorpusFile } from "../../gpu-node/knowledge/corpus.ts";
import { createEmbedder, type Embedder } from "../../gpu-node/knowledge/embedder.ts";
import { createKnowledgeBase, indexFinishedEntry, type KnowledgeBase } from "../../gpu-node/knowledge/knowledge-base.ts";
import { ensureStaticModel } from "../../gpu-node/knowledge/static-model/build-static-model.ts";
import { EmbedderMismatchError } from "../../gpu-node/knowledge/vector-index.ts";

const NB = "\u00A0".repeat(4);
const root = mkdtempSync(path.join(os.tmpdir(), "opus-kb-"));
const golden = listMarkdownFiles(defaultGoldenDir()).map((f) => readCorpusFile(f, "golden"));
const hand = (JSON.parse(readFileSync(path.resolve(import.meta.dirname, "fixtures/hand-paraphrases.json"), "utf8")) as { paraphrases: { source: string; sourceStart: string; text: string }[] }).paraphrases;

let embedder: Embedder;
let db: NodeDb;
let kb: KnowledgeBase;

beforeAll(async () => {
  embedder = await createEmbedder();
  db = await openNodeDb(path.join(root, "node.db"));
  kb = await createKnowledgeBase({ db, dir: path.join(root, "index"), embedder });
});

afterAll(async () => {
  await kb.close();
  db.$client.close();
  rmSync(root, { recursive: true, force: true });
});

/** The golden paragraph that starts with `start`, as written. */
function goldenParagraph(documentId: string, start: string): string {
  const doc = golden.find((d) => d.id === documentId)!;
  const line = doc.markdown.split("\n").find((l) => l.replace(/^\u00A0+/, "").startsWith(start));
  if (!line) throw new Error(`golden paragraph "${start}" not found in ${documentId}`);
  return line;
}

const entry = (title: string, ...paragraphs: string[]) => `# ${title}\n\n## I. Test\n\n${paragraphs.join("\n\n")}\n`;

describe("the golden corpus", () => {
  it("is synced in at open: at least six exemplars, each chunked and embedded", async () => {
    expect(golden.length).toBeGreaterThanOrEqual(6);
    const docs = await kb.listDocuments();
    expect(docs.filter((d) => d.kind === "golden").map((d) => d.id).sort()).toEqual(golden.map((g) => g.id).sort());
    for (const d of docs) expect(d.chunks).toBeGreaterThan(5);
    expect((await kb.stats()).vectors).toBeGreaterThan(golden.length * 5);
  });
});

describe("retrieval", () => {
  const subjects: [string, string][] = [
    ["Theosis: deification, union with God by grace", "golden/theosis"],
    ["The Holy Trinity: one essence in three hypostases", "golden/holy-trinity"],
    ["The Theotokos, the Virgin Mary, Mother of God", "golden/theotokos"],
    ["Hesychasm, stillness and the Jesus Prayer", "golden/hesychasm"],
    ["The veneration of holy icons and iconoclasm", "golden/holy-icons"],
    ["The Divine Liturgy, the Eucharist and the anaphora", "golden/divine-liturgy"],
  ];

  it.each(subjects)("a query on %s finds its exemplar first", async (query, documentId) => {
    const hits = await kb.search(query, 5);
    expect(hits[0]!.documentId).toBe(documentId);
    expect(hits[0]!.text).toBe(golden.find((g) => g.id === documentId)!.markdown.slice(hits[0]!.start, hits[0]!.end));
    expect(hits[0]!.score).toBeGreaterThan(hits[4]!.score - 1e-6);
  });

  it("gives each section's prompt the passages for its plan, at most half from one document", async () => {
    const passages = await kb.retrieveForSection(
      { subject: "Hesychasm", title: "The Jesus Prayer and the Guarding of the Heart", goal: "Explain the prayer of the heart", keyPoints: ["the name of Jesus", "watchfulness", "breathing"] },
      6,
    );
    expect(passages).toHaveLength(6);
    expect(passages[0]!.documentId).toBe("golden/hesychasm");
    expect(passages.some((p) => p.section === "II. The Jesus Prayer and the Guarding of the Heart")).toBe(true);
    const perDocument = new Map<string, number>();
    for (const p of passages) perDocument.set(p.documentId, (perDocument.get(p.documentId) ?? 0) + 1);
    expect(Math.max(...perDocument.values())).toBeLessThanOrEqual(3);
  });

  it("leaves out excluded documents and kinds", async () => {
    const hits = await kb.search("the veneration of holy icons", 5, { exclude: "golden/holy-icons" });
    expect(hits).toHaveLength(5);
    expect(hits.some((h) => h.documentId === "golden/holy-icons")).toBe(false);
    expect(await kb.search("icons", 3, { kinds: ["user"] })).toEqual([]);
  });
});

describe("uniqueness", () => {
  it("flags a paragraph pasted from the corpus, with its exact span and source", async () => {
    const pasted = goldenParagraph("golden/hesychasm", "The roots of hesychasm lie in the monastic movement");
    const own = `${NB}This opening paragraph is the writer's own, about the schools of prayer in the Russian lands and their later influence.`;
    const markdown = entry("Prayer", own, pasted);
    const report = await kb.checkUniqueness(markdown);
    expect(report.unique).toBe(false);
    const verbatim = report.findings.filter((f) => f.kind === "verbatim");
    expect(verbatim).toHaveLength(1);
    expect(verbatim[0]!.source.documentId).toBe("golden/hesychasm");
    expect(verbatim[0]!.source.section).toBe("I. Stillness in the Desert Tradition");
    expect(verbatim[0]!.start).toBeGreaterThan(markdown.indexOf(pasted) - 1);
    expect(verbatim[0]!.end).toBeLessThanOrEqual(markdown.indexOf(pasted) + pasted.length);
    expect(verbatim[0]!.words).toBeGreaterThan(30);
    expect(report.findings.some((f) => f.start < markdown.indexOf(pasted))).toBe(false);
  });

  it.each([4, 11, 13])("flags hand paraphrase %i as a near-duplicate of its source, semantically even without shared runs", async (i) => {
    const p = hand[i]!;
    const markdown = entry("Paraphrase", `${NB}${p.text}`);
    const report = await kb.checkUniqueness(markdown);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const f of report.findings) expect(f.source.documentId).toBe(p.source);
    // With verbatim detection out of the way, the semantic check alone must catch it.
    const semanticOnly = await kb.checkUniqueness(markdown, { thresholds: { verbatimMinWords: 10_000 } });
    const [semantic, ...rest] = semanticOnly.findings;
    expect(rest).toHaveLength(0);
    expect(semantic!.kind).toBe("semantic");
    expect(semantic!.source.documentId).toBe(p.source);
    expect(semantic!.similarity).toBeGreaterThanOrEqual(report.thresholds.semanticSimilarity);
    expect(semantic!.overlap).toBeGreaterThanOrEqual(report.thresholds.lexicalOverlap);
  });

  it("does not flag a quoted Scripture passage the corpus also quotes; the same words as someone's prose are flagged", async () => {
    const verse = "Thou shalt not make unto thee any graven image, or any likeness of any thing that is in heaven above";
    expect(golden.find((g) => g.id === "golden/holy-icons")!.markdown).toContain(`"${verse}"`);
    const quoted = entry("Images", `${NB}The Decalogue is unambiguous about idols: "${verse}" (Exodus 20:4). Yet the same books that forbid idols describe cherubim in the sanctuary, and the Church has read the two together ever since.`);
    const unquoted = entry("Images", `${NB}The Decalogue is unambiguous about idols, for thou shalt not make unto thee any graven image, or any likeness of any thing that is in heaven above, whatever the purpose may be.`);
    expect((await kb.checkUniqueness(quoted)).findings).toEqual([]);
    // The corpus's own quotation is masked too, so copying the verse is not copying the corpus...
    expect((await kb.checkUniqueness(unquoted)).findings).toEqual([]);
    // ...but a document that uses the words as its own prose is protected, and quoting still is not copying.
    await kb.addDocument({ id: "user/decalogue", markdown: unquoted, kind: "user" });
    const copied = await kb.checkUniqueness(unquoted.replace("# Images", "# Copy"));
    expect(copied.findings.map((f) => [f.kind, f.source.documentId])).toEqual([["verbatim", "user/decalogue"]]);
    expect((await kb.checkUniqueness(quoted)).findings).toEqual([]);
    await kb.removeDocument("user/decalogue");
  });

  it("does not flag original prose on a subject the corpus covers", async () => {
    const original = [
      `${NB}On Mount Tabor the three disciples saw the face of Christ shine like the sun, and later writers took this vision as the pattern of every true encounter with God. What they saw was not a new quality added to Christ but the glory he had always possessed, made visible to eyes that grace had opened for a moment.`,
      `${NB}Feast-day hymns of the sixth of August return to this theme with great insistence. They ask that the light which shone on the mountain should shine also on the singers, turning the feast from a commemoration into a petition, and they speak of the apostles as seeing as far as they were able to bear.`,
    ];
    const report = await kb.checkUniqueness(entry("The Transfiguration", ...original));
    expect(report.passagesChecked).toBeGreaterThan(0);
    expect(report.findings).toEqual([]);
  });

  it("never compares an indexed entry with itself when told to exclude it", async () => {
    const theosis = golden.find((g) => g.id === "golden/theosis")!;
    const self = await kb.checkUniqueness(theosis.markdown);
    expect(self.findings.some((f) => f.source.documentId === "golden/theosis")).toBe(true);
    const excluded = await kb.checkUniqueness(theosis.markdown, { excludeDocument: "golden/theosis" });
    expect(excluded.findings.some((f) => f.source.documentId === "golden/theosis")).toBe(false);
  });
});

describe("documents", () => {
  it("indexes a finished entry, finds it, re-adds unchanged text as a no-op, and removes it", async () => {
    const markdown = entry("The Great Blessing of Waters", `${NB}At Theophany the priest plunges the cross three times into the waters, and the faithful carry the blessed water home to drink and to sprinkle their houses through the year.`);
    const added = await indexFinishedEntry(kb, { entryId: "ent-1", markdown });
    expect(added).toEqual({ id: "entry/ent-1", chunks: 1 });
    expect((await kb.listDocuments()).find((d) => d.id === "entry/ent-1")?.kind).toBe("entry");
    expect((await kb.addDocument({ id: "entry/ent-1", markdown, kind: "entry" })).changed).toBe(false);
    const hits = await kb.search("blessing of the waters at Theophany", 1);
    expect(hits[0]!.documentId).toBe("entry/ent-1");
    expect(hits[0]!.documentTitle).toBe("The Great Blessing of Waters");
    const copy = await kb.checkUniqueness(markdown);
    expect(copy.findings.some((f) => f.source.documentId === "entry/ent-1")).toBe(true);
    expect(await kb.removeDocument("entry/ent-1")).toBe(true);
    expect(await kb.removeDocument("entry/ent-1")).toBe(false);
    expect((await kb.search("blessing of the waters at Theophany", 3)).some((h) => h.documentId === "entry/ent-1")).toBe(false);
    expect((await kb.checkUniqueness(markdown)).findings).toEqual([]);
  });

  it("rejects bad documents with the field named", async () => {
    await expect(kb.addDocument({ id: "has space", markdown: "# T\n\nWords.", kind: "user" })).rejects.toThrow(/id: id may hold/);
    await expect(kb.addDocument({ id: "ok", markdown: "", kind: "user" })).rejects.toThrow(/markdown: markdown has no words/);
    await expect(kb.addDocument({ id: "ok", markdown: "# T\n\nWords.", kind: "other" as never })).rejects.toThrow(/kind/);
    await expect(kb.search("   ", 3)).rejects.toThrow(/non-empty/);
    await expect(kb.search("icons", 0)).rejects.toThrow(/positive integer/);
  });
});

describe("persistence and embedder identity", () => {
  it("saves, reopens memory-mapped with the same results, and refuses another embedder until rebuilt", async () => {
    const query = "the light of Tabor and the uncreated energies";
    const before = await kb.search(query, 5);
    await kb.save();

    const reopened = await createKnowledgeBase({ db, dir: path.join(root, "index"), embedder, view: true });
    expect(await reopened.search(query, 5)).toEqual(before);
    expect((await reopened.stats()).vectors).toBe((await kb.stats()).vectors);

    // A second real embedder: the same static model under another folder name has another id.
    const model = await ensureStaticModel();
    const otherDir = path.join(root, "other-static-model");
    mkdirSync(otherDir);
    for (const name of readdirSync(model.dir)) symlinkSync(path.join(model.dir, name), path.join(otherDir, name));
    const other = await createEmbedder({ model: otherDir });
    expect(other.id).not.toBe(embedder.id);

    const mismatched = await createKnowledgeBase({ db, dir: path.join(root, "index"), embedder: other });
    await expect(mismatched.search(query, 5)).rejects.toBeInstanceOf(EmbedderMismatchError);
    await expect(mismatched.search(query, 5)).rejects.toThrow(new RegExp(`${embedder.id.replace(/[.+|]/g, "\\$&")}.*opus corpus rebuild`, "s"));
    await expect(mismatched.addDocument({ id: "user/x", markdown: "# X\n\nSome words here.", kind: "user" })).rejects.toBeInstanceOf(EmbedderMismatchError);
    await expect(kb.searchVector(new Float32Array(100), 3, { embedderId: other.id })).rejects.toBeInstanceOf(EmbedderMismatchError);

    const rebuilt = await mismatched.rebuild();
    expect(rebuilt.documents).toBe(golden.length);
    expect((await mismatched.search(query, 1))[0]!.documentId).toBe(before[0]!.documentId);
    expect((await mismatched.stats()).embedderId).toBe(other.id);
    await mismatched.close();
    await other.dispose();
    await reopened.close();
  });
});
