// Quotation masking, chunking and shingling: the text handling under retrieval and uniqueness.
import { describe, expect, it } from "vitest";
import { chunkMarkdown, countWords, markdownTitle } from "../../gpu-node/knowledge/chunker.ts";
import { maskQuotations } from "../../gpu-node/knowledge/quotation-mask.ts";
import { ShingleIndex, wordTokens } from "../../gpu-node/knowledge/shingles.ts";

const NB = "\u00A0".repeat(4);

describe("maskQuotations", () => {
  const text = [
    "# Theosis",
    "",
    "## I. Scripture",
    "",
    `${NB}St. Peter writes that we become "partakers of the divine nature" (2 Peter 1:4). As the Evangelist says: the Word became flesh and dwelt among us (John 1:14). The Psalmist sings, I said, ye are gods (Psalm 82:6 (LXX 81:6)). This is our own prose.`,
    "",
    "> For the Son of God became man, that we might become God.",
    "",
    `${NB}As St. Athanasius, *On the Incarnation* 54, teaches, the Word took flesh.`,
  ].join("\n");
  const { masked, spans } = maskQuotations(text);

  it("keeps length and line breaks, so offsets stay valid", () => {
    expect(masked.length).toBe(text.length);
    expect(masked.split("\n").length).toBe(text.split("\n").length);
  });

  it("blanks double-quoted text, block quotes, headings, references and citations", () => {
    expect(masked).not.toContain("partakers of the divine nature");
    expect(masked).not.toContain("For the Son of God became man");
    expect(masked).not.toContain("Theosis");
    expect(masked).not.toContain("2 Peter 1:4");
    expect(masked).not.toContain("LXX");
    expect(masked).not.toContain("On the Incarnation");
    expect(spans.map((s) => s.kind)).toEqual(expect.arrayContaining(["inline-quote", "block-quote", "heading", "reference", "citation"]));
  });

  it("blanks unquoted Scripture introduced by a colon or a verb of saying, and keeps the writer's prose", () => {
    expect(masked).not.toContain("the Word became flesh and dwelt among us");
    expect(masked).not.toContain("ye are gods");
    expect(spans.filter((s) => s.kind === "scripture-quote")).toHaveLength(2);
    expect(masked).toContain("St. Peter writes that we become");
    expect(masked).toContain("This is our own prose.");
    expect(masked).toContain("teaches, the Word took flesh.");
  });

  it("leaves a reference that cites a claim, with no colon or verb of saying, as the only masked part", () => {
    const plain = `${NB}God made man for incorruption (Wisdom 2:23), and death came through envy.`;
    const m = maskQuotations(plain).masked;
    expect(m).toContain("God made man for incorruption");
    expect(m).not.toContain("Wisdom 2:23");
  });
});

describe("chunkMarkdown", () => {
  // Sentences of ten words each, so long paragraphs can be cut at sentence ends.
  const para = (n: number, word: string) =>
    `${NB}${Array.from({ length: n }, (_, i) => `${i % 10 === 0 ? "The" : word}${i}${i % 10 === 9 || i === n - 1 ? "." : ""}`).join(" ")}`;
  const markdown = ["# Title", "", para(30, "lead"), "", "## I. First", "", para(20, "a"), "", para(20, "b"), "", para(100, "c"), "", "## II. Second", "", para(500, "d")].join("\n");
  const passages = chunkMarkdown(markdown, { minWords: 60, maxWords: 220 });

  it("never crosses a section and records the section title", () => {
    expect(passages[0]!.section).toBe("");
    expect(passages.filter((p) => p.section === "I. First").length).toBeGreaterThan(0);
    for (const p of passages) expect(markdown.slice(p.start, p.end)).toBe(p.text);
    for (const p of passages) expect(p.text.includes("## ")).toBe(false);
  });

  it("joins short paragraphs and cuts long ones near the word limit", () => {
    const first = passages.find((p) => p.section === "I. First")!;
    expect(first.text).toContain("a1 ");
    expect(first.text).toContain("b1 ");
    const long = passages.filter((p) => p.section === "II. Second");
    expect(long.length).toBeGreaterThanOrEqual(3);
    for (const p of long) expect(p.words).toBeLessThanOrEqual(220);
    expect(long.reduce((n, p) => n + p.words, 0)).toBe(500);
  });

  it("reads the title line", () => {
    expect(markdownTitle(markdown)).toBe("Title");
    expect(markdownTitle("no title")).toBeUndefined();
    // The one word counter (shared/text/words.ts): a reference is words as a reader counts them.
    expect(countWords("The Word, made flesh (John 1:14).")).toBe(6);
  });
});

describe("ShingleIndex", () => {
  const source = "Hesychasm is the tradition of inner stillness and watchfulness through which monks have sought union with God in the depths of the heart, by the constant invocation of the name of Jesus.";

  it("finds an aligned copied run with exact offsets in both texts", () => {
    const index = new ShingleIndex(8);
    index.add("doc", source);
    const copied = "Some new words first. inner stillness and watchfulness through which monks have sought union with God in the depths of the heart. Then more.";
    const [hit, ...rest] = index.overlaps(copied, { minWords: 12 });
    expect(rest).toHaveLength(0);
    expect(hit!.documentId).toBe("doc");
    expect(copied.slice(hit!.start, hit!.end)).toBe("inner stillness and watchfulness through which monks have sought union with God in the depths of the heart");
    expect(source.slice(hit!.sourceStart, hit!.sourceEnd)).toBe("inner stillness and watchfulness through which monks have sought union with God in the depths of the heart");
    expect(hit!.words).toBe(wordTokens(copied.slice(hit!.start, hit!.end)).length);
  });

  it("ignores runs shorter than the minimum, excluded documents and removed documents", () => {
    const index = new ShingleIndex(8);
    index.add("doc", source);
    const short = "we read of inner stillness and watchfulness through which monks pray";
    expect(index.overlaps(short, { minWords: 12 })).toHaveLength(0);
    expect(index.overlaps(source, { minWords: 12, exclude: new Set(["doc"]) })).toHaveLength(0);
    index.remove("doc");
    expect(index.overlaps(source, { minWords: 12 })).toHaveLength(0);
  });

  it("matches regardless of case and accents", () => {
    const index = new ShingleIndex(8);
    index.add("doc", source);
    expect(index.overlaps(source.toUpperCase().replace("GOD", "GÓD"), { minWords: 12 })[0]?.words).toBe(wordTokens(source).length);
  });
});
