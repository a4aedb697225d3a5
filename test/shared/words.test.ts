// The one word counter (shared/text/words.ts): what an entry's `words`, the validators'
// `structure/word-count`, the chunker and the edge report. A word is a run of non-space characters
// with a letter or digit in it.
import { describe, expect, it } from "vitest";
import { countWords } from "../../shared/text/words.ts";
import { countWords as validatorsCount, parseDocument } from "../../shared/validation/index.ts";

describe("countWords", () => {
  it("counts a Scripture reference as written: book, chapter:verses, each token once", () => {
    expect(countWords("Rom 8:29-30 (cf. 1 Cor 15)")).toBe(6);
    expect(countWords("Psalm 82:6 (LXX 81:6)")).toBe(4);
    expect(countWords("Gen 1:26-27; 2:7")).toBe(3);
  });

  it("counts a hyphenated word once", () => {
    expect(countWords("God-bearer")).toBe(1);
    expect(countWords("the well-known Theotokos-centred hymn")).toBe(4);
    expect(countWords("one - two")).toBe(2); // a hyphen standing alone is no word
  });

  it("counts numbers as words", () => {
    expect(countWords("325")).toBe(1);
    expect(countWords("A.D. 325")).toBe(2);
    expect(countWords("1,000 years and 3.14")).toBe(4);
    expect(countWords("the 4th century")).toBe(3);
  });

  it("counts abbreviations once, with their points", () => {
    expect(countWords("St. Basil")).toBe(2);
    expect(countWords("e.g. this, i.e. that")).toBe(4);
    expect(countWords("cf.")).toBe(1);
    expect(countWords("Fr. John and Sts. Cyril")).toBe(5);
  });

  it("treats every Unicode space as a separator and punctuation alone as nothing", () => {
    expect(countWords("\u00a0\u00a0\u00a0\u00a0Word word")).toBe(2); // the house indent
    expect(countWords("a\u2009b\u202fc\u3000d")).toBe(4);
    expect(countWords("word — word")).toBe(2);
    expect(countWords("— « » … ·")).toBe(0);
    expect(countWords("")).toBe(0);
    expect(countWords("   \n\t ")).toBe(0);
  });

  it("counts letters of any script, and astral-plane letters", () => {
    expect(countWords("θέωσις καὶ «Θεός»")).toBe(3);
    expect(countWords("обо́жение")).toBe(1);
    expect(countWords("𝔇eus 𝔇")).toBe(2);
  });

  it("counts a slice without copying it", () => {
    const text = "alpha beta gamma delta";
    expect(countWords(text, 6, 16)).toBe(2);
    expect(countWords(text, 0, 3)).toBe(1);
  });

  it("is the validators' counter, so an entry's words and structure/word-count agree", () => {
    expect(validatorsCount).toBe(countWords);
    const markdown = "# Theosis\n\n## I. Union\n\n\u00a0\u00a0\u00a0\u00a0As Rom 8:29-30 (cf. 1 Cor 15) says, the God-bearer, St. Mary, was foreknown in 325 A.D.\n";
    const paragraph = markdown.split("\n")[4]!;
    expect(parseDocument(markdown).wordCount).toBe(countWords(paragraph));
    expect(countWords(paragraph)).toBe(17);
  });
});
