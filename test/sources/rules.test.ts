// The rules that check quotations against the library (citation/quote-verified, -misattributed,
// -unverified, scripture/misquoted), each with cases that must fire and cases that must not, on
// the fixture library in a real libSQL database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lintMarkdown, parseDocument, type Issue } from "../../shared/validation/index.ts";
import { nearly } from "../../shared/validation/quotation/nearly.ts";
import { sourceCatalog, sourceValidators, verifyQuotations } from "../../shared/validation/quotation/index.ts";
import { scoreReport } from "../../shared/validation/score.ts";
import { entryOf, fixtureLibrary, type FixtureLibrary } from "./helpers.ts";

let lib: FixtureLibrary;
beforeAll(async () => {
  lib = await fixtureLibrary();
});
afterAll(() => lib.close());

async function issues(markdown: string, prefix: string): Promise<Issue[]> {
  const lookup = lib.library.lookup;
  const doc = parseDocument(markdown, { catalog: await sourceCatalog(lookup) });
  const report = await lintMarkdown(doc, { place: "gpu", extraValidators: sourceValidators(lookup) });
  return report.issues.filter((i) => i.rule.startsWith(prefix));
}

const CHRYSOSTOM = "You have heard how much Paul found fault with the Hebrews for wishing to be always learning about the same things.";
const BASIL = "We must strive after a quiet mind. As well might the eye ascertain an object put before it while it is wandering restless up and down and sideways, without fixing a steady gaze upon it, as a mind, distracted by a thousand worldly cares, be able clearly to apprehend the truth.";

describe("the nearly measure", () => {
  it("survives spelling, punctuation, an ellipsis and a changed word, and falls for a paraphrase", () => {
    const passage = "O ye who are soon to be enlightened: already ye are gathering the spiritual flowers, to weave heavenly crowns; already the fragrance of the Holy Spirit hath breathed upon you.";
    expect(nearly("already you are gathering the spiritual flowers, to weave heavenly crowns", passage).score).toBe(1);
    expect(nearly("Already you are gathering the spiritual flowers ... already the fragrance of the Holy Spirit has breathed upon you", passage).score).toBe(1);
    expect(nearly("already you are gathering the spiritual blossoms to weave heavenly crowns", passage).score).toBeGreaterThan(0.75);
    expect(nearly("the Spirit's perfume has come upon you and you now pick flowers of the soul for a crown in heaven", passage).score).toBeLessThan(0.4);
    expect(nearly("The honour of the image passes to the prototype, as the Fathers say", passage).score).toBeLessThan(0.2);
  });
});

describe("citation/quote-verified", () => {
  it("fires, with the passage's citation and source, for a quotation found in the author's works", async () => {
    const found = await issues(entryOf(`St. John Chrysostom writes, "${CHRYSOSTOM}"`), "citation/");
    expect(found.map((i) => [i.rule, i.severity])).toEqual([["citation/quote-verified", "info"]]);
    expect(found[0]!.message).toBe("Verified: St. John Chrysostom, Homilies on Hebrews 9.1 (https://www.ccel.org/fathers2/NPNF1-14/npnf1-14-102.htm).");
  });

  it("fires for a lightly edited quotation: modern spelling, an ellipsis, a word changed", async () => {
    const edited = 'St. Basil the Great counsels: "We must strive after a quiet mind. As well might the eye ascertain an object put before it while it is wandering restless up and down ... as a mind, distracted by a thousand worldly concerns, be able clearly to apprehend the truth."';
    const found = await issues(entryOf(edited), "citation/");
    expect(found.map((i) => i.rule)).toEqual(["citation/quote-verified"]);
    expect(found[0]!.message).toMatch(/St\. Basil the Great, Letter 2\.2/);
  });

  it("does not fire for a quotation the author never wrote, a short phrase, or a name without a verb of saying", async () => {
    expect(await issues(entryOf('St. Basil the Great writes, "The soul that loves God rests in the uncreated light as a bird upon the branch."'), "citation/quote-verified")).toEqual([]);
    expect(await issues(entryOf('St. John Chrysostom calls it "the same things" often.'), "citation/")).toEqual([]);
    expect(await issues(entryOf(`Near St. John Chrysostom's name, "${CHRYSOSTOM}"`), "citation/")).toEqual([]);
  });
});

describe("citation/quote-misattributed", () => {
  it("fires as an error naming the right author and work when the words are another Father's", async () => {
    const found = await issues(entryOf(`St. Basil the Great writes, "${CHRYSOSTOM}"`), "citation/");
    expect(found.map((i) => [i.rule, i.severity])).toEqual([["citation/quote-misattributed", "error"]]);
    expect(found[0]!.message).toMatch(/is not St\. Basil the Great's: it is in St\. John Chrysostom, Homilies on Hebrews 9\.1\./);
    expect(found[0]!.suggestion).toMatch(/^Attribute it to St\. John Chrysostom: "St\. John Chrysostom, Homilies on Hebrews 9\.1"/);
  });

  it("fires for a council credited with a Father's words, and for a citation after the quotation", async () => {
    expect((await issues(entryOf(`The Council of Chalcedon declared: "${BASIL}"`), "citation/")).map((i) => i.rule)).toEqual(["citation/quote-misattributed"]);
    const cited = await issues(entryOf(`"${CHRYSOSTOM}" (St. Cyril of Jerusalem, *Catechetical Lectures* 1.1).`), "citation/");
    expect(cited.map((i) => i.rule)).toEqual(["citation/quote-misattributed"]);
  });

  it("does not fire when the author is right, or when the quotation is found nowhere", async () => {
    expect((await issues(entryOf(`As St. John Chrysostom says, "${CHRYSOSTOM}"`), "citation/")).map((i) => i.rule)).toEqual(["citation/quote-verified"]);
    expect(await issues(entryOf('St. Basil the Great writes, "The soul that loves God rests in the uncreated light as a bird upon the branch."'), "citation/quote-misattributed")).toEqual([]);
  });
});

describe("citation/quote-unverified", () => {
  it("fires as a warning naming the closest passage of the author", async () => {
    const found = await issues(entryOf('St. Basil the Great writes, "The mind that is distracted by a thousand worldly cares cannot see the truth, for only solitude brings the soul to God."'), "citation/");
    expect(found.map((i) => [i.rule, i.severity])).toEqual([["citation/quote-unverified", "warning"]]);
    expect(found[0]!.message).toMatch(/^Not found in the works of St\. Basil the Great in the library; the closest passage is St\. Basil the Great, Letter 2\.2: "/);
  });

  it("does not fire for a verified quotation, or for an author the library holds nothing of", async () => {
    expect(await issues(entryOf(`St. John Chrysostom writes, "${CHRYSOSTOM}"`), "citation/quote-unverified")).toEqual([]);
    expect(await issues(entryOf('St. Gregory Palamas writes, "The light of Tabor is the uncreated glory of the divinity, not a created symbol."'), "citation/")).toEqual([]);
  });
});

describe("scripture/misquoted", () => {
  it("fires when the words are another verse's, and names it", async () => {
    const found = await issues(entryOf('The Lord says, "Blessed are the merciful, for they shall obtain mercy" (Matt. v. 9).'), "scripture/misquoted");
    expect(found).toHaveLength(1);
    expect(found[0]!.severity).toBe("warning");
    expect(found[0]!.message).toBe("The quoted words do not match Matthew 5:9 in the loaded translation (web).");
    expect(found[0]!.suggestion).toBe("These are the words of Matthew 5:7: cite Matthew 5:7.");
  });

  it("fires when the words match no verse, and quotes the cited one", async () => {
    const found = await issues(entryOf('Scripture says, "The righteous shall shine like the stars of the evening sky forever" (John 1:14).'), "scripture/misquoted");
    expect(found).toHaveLength(1);
    expect(found[0]!.suggestion).toMatch(/^John 1:14 reads: "The Word became flesh/);
  });

  it("does not fire for the right verse, in the 19th-century style, archaic forms or Septuagint psalm numbers", async () => {
    const right = [
      '"Blessed are the pure in heart: for they shall see God" (Matt. v. 8).',
      'The Apostle prays that "the peace of God, which passeth all understanding, will guard your hearts and your thoughts in Christ Jesus" (Phil. iv. 7).',
      'Matthew 5:3: "Blessed are the poor in spirit, for theirs is the Kingdom of Heaven."',
      '"Yahweh is my shepherd: I shall lack nothing" (Ps. xxii. 1 (LXX)).',
      '"My God, my God, why have you forsaken me?" (Psalm 22:1).',
    ];
    for (const text of right) expect(await issues(entryOf(text), "scripture/misquoted"), text).toEqual([]);
  });
});

describe("the verification record and the score", () => {
  it("lists every checked quotation with its status and passage", async () => {
    const doc = parseDocument(entryOf(`St. John Chrysostom writes, "${CHRYSOSTOM}"`, `St. Basil the Great writes, "${CHRYSOSTOM}"`, '"Blessed are the pure in heart, for they shall see God" (Matt. v. 8).'));
    const checks = await verifyQuotations(doc, lib.library.lookup);
    expect(checks.map((c) => [c.kind, c.status, c.passage?.citation ?? c.verses?.[0]?.reference])).toEqual([
      ["patristic", "verified", "St. John Chrysostom, Homilies on Hebrews 9.1"],
      ["patristic", "misattributed", "St. John Chrysostom, Homilies on Hebrews 9.1"],
      ["scripture", "verified", "Matthew 5:8"],
    ]);
    expect(checks[0]!.passage).toMatchObject({ author: "John Chrysostom", work: "Homilies on Hebrews", part: "Homily 9", section: "1", year: 407, sourceUrl: "https://www.ccel.org/fathers2/NPNF1-14/npnf1-14-102.htm" });
  });

  it("counts verified quotations in the citations dimension, against warnings but never errors", () => {
    const issue = (rule: string, severity: Issue["severity"]): Issue => ({ rule, severity, dimension: "citations", message: "", start: 0, end: 1, line: 1, column: 1, endLine: 1, endColumn: 2, fixable: false });
    const ran = new Set(["citations"] as const);
    const warned = scoreReport([issue("citation/quote-unverified", "warning")], 1000, ran).dimensions.citations;
    const warnedAndVerified = scoreReport([issue("citation/quote-unverified", "warning"), issue("citation/quote-verified", "info"), issue("citation/quote-verified", "info")], 1000, ran).dimensions.citations;
    const erred = scoreReport([issue("citation/quote-misattributed", "error")], 1000, ran).dimensions.citations;
    const erredAndVerified = scoreReport([issue("citation/quote-misattributed", "error"), issue("citation/quote-verified", "info"), issue("citation/quote-verified", "info")], 1000, ran).dimensions.citations;
    expect(warnedAndVerified).toBeGreaterThan(warned);
    expect(warnedAndVerified).toBe(1);
    expect(erredAndVerified).toBe(erred);
  });
});
