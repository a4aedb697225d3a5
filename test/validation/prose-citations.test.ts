// Citations in running prose (no italics, no parentheses) are read like house-style ones, so the
// patristic rules see them; and Scripture references in the 19th-century style of the sources.
import { describe, expect, it } from "vitest";
import { lintMarkdown, parseDocument } from "../../shared/validation/index.ts";
import { libraryCatalog } from "../../shared/validation/patristic/catalog.ts";
import { issuesOf, oneSection } from "./helpers.ts";

const rules = (text: string) => issuesOf(oneSection(text), "patristic/").map((i) => i.rule);

describe("prose citations", () => {
  it("find the author and the work in the ways writers name them", () => {
    const doc = parseDocument(
      oneSection(
        "Saint Basil, in his treatise against Eunomius, taught that the Son is of one essence with the Father.",
        "As Saint Cyril of Jerusalem teaches in his Catechetical Lectures, the candidate must come with a sincere heart.",
        "In his Catechetical Lectures, St. Cyril of Jerusalem explains the Creed article by article.",
        "St. Basil's treatise On the Holy Spirit defends the doxology with the Spirit.",
        "The Catechetical Lectures of St. Cyril of Jerusalem were delivered in the Holy Sepulchre.",
      ),
    );
    expect(doc.patristic.map((c) => [c.author, c.work, c.form, c.workIds.length > 0])).toEqual([
      ["Saint Basil", "against Eunomius", "prose", true],
      ["Saint Cyril of Jerusalem", "Catechetical Lectures", "prose", true],
      ["St. Cyril of Jerusalem", "Catechetical Lectures", "prose", true],
      ["St. Basil", "On the Holy Spirit", "prose", true],
      ["St. Cyril of Jerusalem", "Catechetical Lectures", "prose", true],
    ]);
  });

  it("catch works credited to the wrong Father", () => {
    const wrong = [
      "St. Athanasius, in his Catechetical Lectures, taught the catechumens to renounce Satan.",
      "As St. John Chrysostom argues in his treatise On the Incarnation, the Word took a body to die.",
      "In his Ladder of Divine Ascent, St. Gregory of Nyssa lays out thirty steps of the monastic life.",
      "St. Basil the Great, in his Mystagogy of the Holy Spirit, answered the Latin teaching.",
      "St. Gregory the Theologian explains in his Life of Antony how the hermit fought the demons.",
    ];
    for (const text of wrong) expect(rules(text), text).toEqual(["patristic/misattribution"]);
  });

  it("report an invented title of a known author, and one anachronism hidden behind a title", () => {
    expect(rules("St. John Chrysostom, in his treatise On the Heavenly Ladder of Virtues, urges watchfulness.")).toEqual(["patristic/unknown-work"]);
    expect(rules("Saint Basil, in his treatise against Eunomius, condemned the Council of Chalcedon.")).toEqual(["patristic/anachronism"]);
    expect(rules("St. Athanasius, in his letter on the Council of Chalcedon, defended the two natures.")).toEqual(["patristic/anachronism"]);
  });

  it("keep precision: right attributions, descriptions, generic genres and other authors pass", () => {
    const right = [
      "Saint Basil, in his treatise against Eunomius, taught that the Son is of one essence with the Father.",
      "St. Gregory of Nyssa, in his treatise against Eunomius, answers the same objections.",
      "As Saint Cyril of Jerusalem teaches in his Catechetical Lectures, the candidate must be sober.",
      "St. Basil, in his letter to Amphilochius, answers questions on the canons.",
      "St. Gregory the Theologian, in his homilies on the Nativity, rejoices at the feast.",
      "St. John Chrysostom, in his sermons to the people of Antioch, rebukes the theatre.",
      "St. Athanasius, in his old age, returned from his fifth exile.",
      "St. Maximus, in the Ambigua, explains the divine energies.",
      "Vladimir Lossky, in his Mystical Theology of the Eastern Church, follows St. Gregory Palamas.",
      "St. Basil's teaching on the Spirit was confirmed at the Council of Constantinople.",
    ];
    for (const text of right) expect(rules(text), text).toEqual([]);
  });

  it("know a loaded library's titles, which convict another author only when distinctive", async () => {
    const catalog = libraryCatalog([
      { title: "On Pilgrimages", authorRef: "gregory-of-nyssa" },
      { title: "A Treatise Concerning the Correction of the Donatists", authorRef: "augustine-of-hippo" },
    ]);
    const lint = async (text: string) => (await lintMarkdown(parseDocument(oneSection(text), { catalog }))).issues.filter((i) => i.rule.startsWith("patristic/")).map((i) => i.rule);
    const cited = parseDocument(oneSection("St. Gregory of Nyssa, in his letter On Pilgrimages, warns against the journey to Jerusalem."), { catalog }).patristic;
    expect(cited.map((c) => [c.work, c.workIds])).toEqual([["On Pilgrimages", ["library:gregory-of-nyssa:on-pilgrimages"]]]);
    // Not distinctive (one significant word): known for its author, no proof against another.
    expect(await lint("St. Gregory of Nyssa, in his On Pilgrimages, warns the monks.")).toEqual([]);
    expect(await lint("St. John Chrysostom, in his On Pilgrimages, warns the monks.")).toEqual([]);
    // Distinctive: another author is flagged; without the library the title is unknown.
    expect(await lint("St. John Chrysostom, in his Treatise Concerning the Correction of the Donatists, speaks of grace.")).toEqual(["patristic/misattribution"]);
    expect(rules("St. John Chrysostom, in his Treatise Concerning the Correction of the Donatists, speaks of grace.")).toEqual(["patristic/unknown-work"]);
  });
});

describe("Scripture references in the style of the sources", () => {
  it("parse Roman chapters, ranges, continuations and a bare (LXX)", () => {
    const doc = parseDocument(oneSection("See Phil. iv. 7, 1 Cor. ii. 9, Ps. xxii. 1 (LXX), Matt. v. 3-12, Gen. i. 26, 27 and Isaiah VII 10-14; but not Henry V. 3 or Part II. 4."));
    expect(doc.scripture.map((r) => [r.text, r.book, r.chapter, r.verse, r.endVerse ?? null, r.numbering ?? null])).toEqual([
      ["Phil. iv. 7", "Phil", 4, 7, null, null],
      ["1 Cor. ii. 9", "1Cor", 2, 9, null, null],
      ["Ps. xxii. 1 (LXX)", "Ps", 22, 1, null, "lxx"],
      ["Matt. v. 3-12", "Matt", 5, 3, 12, null],
      ["Gen. i. 26", "Gen", 1, 26, null, null],
      ["27", "Gen", 1, 27, null, null],
      ["Isaiah VII 10-14", "Isa", 7, 10, 14, null],
    ]);
    // One sentence: "iv. 7" is no sentence end.
    expect(doc.sentences).toHaveLength(1);
  });

  it("are checked like any reference", () => {
    expect(issuesOf(oneSection("As in Phil. iv. 99 and Matt. xxx. 1."), "scripture/").map((i) => [i.rule, i.message])).toEqual([
      ["scripture/invalid-reference", "Philippians 4 has 23 verses; 4:99 does not exist."],
      ["scripture/invalid-reference", "Matthew has 28 chapters; 30 does not exist."],
    ]);
  });
});
