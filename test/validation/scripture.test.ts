import { describe, expect, it } from "vitest";
import { parseDocument } from "../../shared/validation/index.ts";
import { BOOKS, lxxToMt, mtToLxx } from "../../shared/validation/scripture/canon.ts";
import { issuesOf, oneSection } from "./helpers.ts";

const scriptureIssues = (text: string) => issuesOf(oneSection(text), "scripture/");

// Last chapter and its last verse of every book, in the widest numbering an Orthodox writer may
// follow (English Bibles, and the Greek chapters of Esther, Daniel, Joel, Baruch and 1 Kings as
// in the NAB/Septuagint). Written out by hand from printed Bibles, not read from the parser.
const EDGES: [string, number, number][] = [
  ["Genesis", 50, 26], ["Exodus", 40, 38], ["Leviticus", 27, 34], ["Numbers", 36, 13], ["Deuteronomy", 34, 12],
  ["Joshua", 24, 33], ["Judges", 21, 25], ["Ruth", 4, 22], ["1 Samuel", 31, 13], ["2 Samuel", 24, 25],
  ["1 Kings", 22, 54], ["2 Kings", 25, 30], ["1 Chronicles", 29, 30], ["2 Chronicles", 36, 23], ["1 Esdras", 9, 55],
  ["Ezra", 10, 44], ["Nehemiah", 13, 31], ["Tobit", 14, 15], ["Judith", 16, 25], ["Esther", 16, 24],
  ["1 Maccabees", 16, 24], ["2 Maccabees", 15, 39], ["3 Maccabees", 7, 23], ["Psalm", 151, 7], ["Job", 42, 17],
  ["Proverbs", 31, 31], ["Ecclesiastes", 12, 14], ["Song of Songs", 8, 14], ["Wisdom", 19, 22], ["Sirach", 51, 30],
  ["Hosea", 14, 10], ["Amos", 9, 15], ["Micah", 7, 20], ["Joel", 4, 21], ["Jonah", 4, 11], ["Nahum", 3, 19],
  ["Habakkuk", 3, 19], ["Zephaniah", 3, 20], ["Haggai", 2, 23], ["Zechariah", 14, 21], ["Malachi", 4, 6],
  ["Isaiah", 66, 24], ["Jeremiah", 52, 34], ["Baruch", 6, 72], ["Lamentations", 5, 22], ["Ezekiel", 48, 35],
  ["Daniel", 14, 42], ["4 Maccabees", 18, 24], ["2 Esdras", 16, 78],
  ["Matthew", 28, 20], ["Mark", 16, 20], ["Luke", 24, 53], ["John", 21, 25], ["Acts", 28, 31], ["Romans", 16, 27],
  ["1 Corinthians", 16, 24], ["2 Corinthians", 13, 14], ["Galatians", 6, 18], ["Ephesians", 6, 24], ["Philippians", 4, 23],
  ["Colossians", 4, 18], ["1 Thessalonians", 5, 28], ["2 Thessalonians", 3, 18], ["1 Timothy", 6, 21], ["2 Timothy", 4, 22],
  ["Titus", 3, 15], ["Hebrews", 13, 25], ["James", 5, 20], ["1 Peter", 5, 14], ["2 Peter", 3, 18], ["1 John", 5, 21],
  ["Revelation", 22, 21],
];
// One-chapter books are cited by verse alone ("Jude 25").
const SINGLE: [string, number][] = [
  ["Obadiah", 21], ["Philemon", 25], ["2 John", 13], ["3 John", 15], ["Jude", 25], ["Prayer of Manasseh", 15],
  ["Letter of Jeremiah", 73], ["Susanna", 64], ["Bel and the Dragon", 42],
];

describe("scripture references at the edges of every book", () => {
  it("covers every book of the canon table", () => {
    const named = new Set([...EDGES, ...SINGLE].map(([n]) => parseDocument(oneSection(`${n} 1:1.`)).scripture[0]?.book));
    const missing = BOOKS.filter((b) => !named.has(b.osis) && !["GkEsth", "Ps151", "SgThree", "PrAzar"].includes(b.osis)).map((b) => b.osis);
    expect(missing).toEqual([]);
  });

  it.each(EDGES)("%s: last chapter and verse valid, one past invalid", (book, chapter, verse) => {
    expect(scriptureIssues(`See ${book} ${chapter}:${verse}.`)).toEqual([]);
    expect(scriptureIssues(`See ${book} ${chapter}.`)).toEqual([]);
    const pastVerse = scriptureIssues(`See ${book} ${chapter}:${verse + 1}.`);
    expect(pastVerse.map((i) => i.rule)).toEqual(["scripture/invalid-reference"]);
    expect(pastVerse[0]!.message).toMatch(new RegExp(`${chapter} has ${verse} verses`));
    const pastChapter = scriptureIssues(`See ${book} ${chapter + 1}:1.`);
    expect(pastChapter.map((i) => i.message)).toEqual([expect.stringMatching(new RegExp(`has ${chapter} chapters; ${chapter + 1} does not exist`))]);
  });

  it.each(SINGLE)("%s (one chapter): last verse valid, one past invalid", (book, verse) => {
    expect(scriptureIssues(`See ${book} ${verse}.`)).toEqual([]);
    expect(scriptureIssues(`See ${book} 1:${verse}.`)).toEqual([]);
    expect(scriptureIssues(`See ${book} ${verse + 1}.`).map((i) => i.rule)).toEqual(["scripture/invalid-reference"]);
    expect(scriptureIssues(`See ${book} 2:1.`).map((i) => i.rule)).toEqual(["scripture/invalid-reference"]);
  });
});

describe("scripture/invalid-reference", () => {
  it("understands Septuagint and Masoretic psalm numbering", () => {
    expect(scriptureIssues("Psalm 82:6 (LXX 81:6) and Psalm 50:3 (MT 51:1) and Psalm 116:10 (LXX 115:1) and Psalm 9:39.")).toEqual([]);
    const wrong = scriptureIssues("Psalm 82:6 (LXX 80:6).");
    expect(wrong.map((i) => i.message)).toEqual(["Hebrew Psalm 82 is Psalm 81 in the Septuagint numbering, not 80."]);
    expect(wrong[0]!.suggestion).toBe("Write (LXX 81:6).");
    expect(scriptureIssues("Psalm 9:40.").map((i) => i.rule)).toEqual(["scripture/invalid-reference"]);
    expect(scriptureIssues("Psalm 152:1.").map((i) => i.message)).toEqual(["Psalm has 151 chapters; 152 does not exist."]);
    expect([mtToLxx(10), mtToLxx(116, 12), mtToLxx(147, 3), lxxToMt(9), lxxToMt(151)]).toEqual([[9], [115], [146], [9, 10], []]);
  });

  it("knows the Greek chapters of Daniel, Esther and Baruch and the deuterocanonical books", () => {
    expect(scriptureIssues("Daniel 3:90, Esther 14:1, Baruch 3:38, Sirach 24:3, Wisdom 2:23, 1 Esdras 4:41, 3 Maccabees 2:2, Tobit 12:8, Judith 13:20.")).toEqual([]);
  });

  it("checks ranges, chapter 0, verse 0 and backwards ranges", () => {
    expect(scriptureIssues("John 1:1-14; 3:16, 18 and Genesis 1-3 and Romans 8:29-9:3.")).toEqual([]);
    expect(scriptureIssues("John 1:1-52.").map((i) => i.message)).toEqual(["The range ends past the text: John 1 has 51 verses; 1:52 does not exist."]);
    expect(scriptureIssues("John 3:16-12.").map((i) => i.message)).toEqual(["The range John 3:16-12 runs backwards."]);
    expect(scriptureIssues("John 0:1.").map((i) => i.message)).toEqual(["Chapter 0 does not exist in John."]);
    expect(scriptureIssues("John 3:0.").map((i) => i.message)).toEqual(["Verse 0 does not exist (John 3:0)."]);
    expect(scriptureIssues("John 1:1; 22:1.").map((i) => i.message)).toEqual(["John has 21 chapters; 22 does not exist."]);
  });

  it("locates the reference exactly", () => {
    const md = oneSection("The Word became flesh (John 1:99).");
    const [issue] = issuesOf(md, "scripture/invalid-reference");
    expect(md.slice(issue!.start, issue!.end)).toBe("John 1:99");
    expect([issue!.line, issue!.column]).toEqual([5, 4 + "The Word became flesh (".length + 1]);
  });
});

describe("scripture/unknown-book", () => {
  it("fires on books outside the canon and suggests close spellings", () => {
    const issues = scriptureIssues("As Hezekiah 3:4 says, and Ecclesiastics 2:4, and the Gospel of Thomas 1:1 too, and Jubilees 4:1.");
    expect(issues.map((i) => i.message)).toEqual([
      '"Hezekiah" is not a book of the Orthodox canon.',
      '"Ecclesiastics" is not a book of the Orthodox canon.',
      '"Gospel of Thomas" is not a book of the Orthodox canon.',
      '"Jubilees" is not a book of the Orthodox canon.',
    ]);
    expect(issues[1]!.suggestion).toBe("Did you mean Sirach?"); // "Ecclesiasticus", one letter away
    // Misspellings the maintained parser recognises are read as the book they name.
    expect(parseDocument(oneSection("Habbakkak 2:4 and Galations 2:20.")).scripture.map((r) => r.book)).toEqual(["Hab", "Gal"]);
  });

  it("does not fire on Orthodox and abbreviated book names or on numbered parts of other works", () => {
    const text =
      "3 Kingdoms 8:27, 1 Paralipomenon 16:34, Ecclesiasticus 1:1, Jn 1:14, 1 Cor 13:12, Heb. 4:15, Mt 5:8, Wisdom of Solomon 7:26, Oration 29:19, Canon 28, Letter 38:4, Against Heresies 3:19, at 3:30 in the afternoon, Ladder 27:2.";
    expect(scriptureIssues(text)).toEqual([]);
    const refs = parseDocument(oneSection(text)).scripture.map((r) => `${r.book} ${r.chapter}:${r.verse}`);
    expect(refs).toEqual(["1Kgs 8:27", "1Chr 16:34", "Sir 1:1", "John 1:14", "1Cor 13:12", "Heb 4:15", "Matt 5:8", "Wis 7:26"]);
  });

  it("resolves spellings outside the alias table through bible-passage-reference-parser", () => {
    expect(parseDocument(oneSection("Jhn 3:16 and Qoh 1:2.")).scripture.map((r) => r.book)).toEqual(["John", "Eccl"]);
  });
});
