import { describe, expect, it } from "vitest";
import fathers from "../../shared/data/fathers.json" with { type: "json" };
import works from "../../shared/data/works.json" with { type: "json" };
import councils from "../../shared/data/councils.json" with { type: "json" };
import { parseDocument } from "../../shared/validation/index.ts";
import { AUTHORS, WORKS, resolveAuthor, resolveWork } from "../../shared/validation/patristic/citation-index.ts";
import { issuesOf, oneSection } from "./helpers.ts";

const patristicIssues = (...paras: string[]) => issuesOf(oneSection(...paras), "patristic/");

describe("citation index data", () => {
  it("holds at least 60 authors and 200 works, each with sources from the bibliography", () => {
    expect(fathers.authors.length).toBeGreaterThanOrEqual(60);
    expect(works.works.length).toBeGreaterThanOrEqual(200);
    const bibliography = new Set(Object.keys(fathers.sources));
    const ids = new Set(fathers.authors.map((a) => a.id));
    expect(ids.size).toBe(fathers.authors.length);
    for (const a of fathers.authors) {
      expect(a.sources.length, a.id).toBeGreaterThan(0);
      for (const s of a.sources) expect(bibliography.has(s), `${a.id}: ${s}`).toBe(true);
      if (a.born !== null && a.died !== null) expect(a.born, a.id).toBeLessThan(a.died);
    }
    for (const w of works.works) {
      expect(w.sources.length, w.id).toBeGreaterThan(0);
      for (const s of w.sources) expect(bibliography.has(s), `${w.id}: ${s}`).toBe(true);
      for (const a of [...w.authors, ...((w as { traditionallyAttributedTo?: string[] }).traditionallyAttributedTo ?? [])]) expect(ids.has(a), `${w.id}: ${a}`).toBe(true);
    }
    const councilSources = new Set(Object.keys(councils.sources));
    for (const c of councils.councils) {
      expect(c.year, c.id).toBeLessThanOrEqual(c.endYear);
      for (const s of c.sources) expect(councilSources.has(s), `${c.id}: ${s}`).toBe(true);
    }
    expect(councils.councils.filter((c) => c.kind === "ecumenical" && "number" in c).map((c) => [c.number, c.year])).toEqual([
      [1, 325], [2, 381], [3, 431], [4, 451], [5, 553], [6, 680], [7, 787],
    ]);
  });

  it("resolves name variants and honorifics, and title variants", () => {
    expect(resolveAuthor("St. Gregory the Theologian").ids).toEqual(["gregory-of-nazianzus"]);
    expect(resolveAuthor("Saint Maximos the Confessor").ids).toEqual(["maximus-the-confessor"]);
    expect(resolveAuthor("Moreover St. Basil").ids).toEqual(["basil-the-great"]);
    expect(resolveAuthor("St. Gregory").ids.length).toBeGreaterThan(3);
    expect(resolveWork("De Incarnatione").works.map((w) => w.id)).toContain("athanasius:on-the-incarnation");
    expect(resolveWork("the Ladder of Divine Ascent").works.map((w) => w.id)).toEqual(["john-climacus:the-ladder-of-divine-ascent"]);
    expect(resolveWork("Letter 38").generic).toBe(true);
    expect(AUTHORS.length).toBe(fathers.authors.length);
    expect(WORKS.length).toBe(works.works.length);
  });

  it("extracts house-style citations with author, title and locator", () => {
    const doc = parseDocument(oneSection("As St. Athanasius, *On the Incarnation* 54, says. St. Basil's *On the Holy Spirit* 9.23 agrees, and St. Maximus argues in his *Ambigua* 7 likewise. Vladimir Lossky, *The Vision of God*, is modern."));
    expect(doc.patristic.map((c) => [c.author, c.work, c.locator ?? null])).toEqual([
      ["St. Athanasius", "On the Incarnation", "54"],
      ["St. Basil", "On the Holy Spirit", "9.23"],
      ["St. Maximus", "Ambigua", "7"],
      ["Vladimir Lossky", "The Vision of God", null],
    ]);
  });
});

describe("patristic/unknown-work", () => {
  it("fires on a title the index does not hold for a known author, with a suggestion", () => {
    const issues = patristicIssues("St. Athanasius, *On the Incarnation of Christ Our God* 3, says this.", "St. Athanasius, *Book of Wonders* 2, says this.");
    expect(issues.map((i) => [i.rule, i.severity])).toEqual([
      ["patristic/unknown-work", "warning"],
      ["patristic/unknown-work", "warning"],
    ]);
    expect(issues[0]!.message).toBe("*On the Incarnation of Christ Our God* is not a work of St. Athanasius the Great in the citation index.");
    expect(issues[0]!.suggestion).toBe("Did you mean *On the Incarnation*?");
  });

  it("does not fire on known works, their variants, generic titles or unknown authors", () => {
    expect(
      patristicIssues(
        "St. Athanasius, *De Incarnatione* 54, says this.",
        "St. Basil the Great, *Letter* 38, and St. Gregory the Theologian, *Oration* 29, say this.",
        "Plato, *Republic* 7, and John Smith, *My Book*, say other things.",
        "Evagrius, *Chapters on Prayer* 3, and St. Nilus, *On Prayer* 3, say this.",
      ),
    ).toEqual([]);
  });
});

describe("patristic/misattribution", () => {
  it("fires when a real work is credited to the wrong author", () => {
    const issues = patristicIssues("St. Basil the Great, *The Ladder of Divine Ascent* 30, teaches love.", "St. Gregory Palamas, *Summa Theologiae* 1.2, is cited.");
    expect(issues.map((i) => i.message)).toEqual([
      "*The Ladder of Divine Ascent* is by St. John Climacus, not St. Basil the Great.",
      "*Summa Theologiae* is by Thomas Aquinas, not St. Gregory Palamas.",
    ]);
    expect(issues[0]!.suggestion).toBe('Cite it as "St. John Climacus, *The Ladder of Divine Ascent* 30", or cite a work of St. Basil the Great.');
  });

  it("does not fire for shared titles, ambiguous names resolved by the work, or traditional attributions", () => {
    expect(
      patristicIssues(
        "St. Ambrose, *On the Holy Spirit* 1, and St. Basil, *On the Holy Spirit* 18, agree.",
        "St. Gregory, *Life of Moses* 2, and St. Gregory, *Triads* 1.3, are both cited.",
        "St. Nilus, *On Prayer* 3, as the Philokalia has it.",
      ),
    ).toEqual([]);
  });
});

describe("patristic/anachronism", () => {
  it("fires when a Father acts on a council or event after his death", () => {
    const issues = patristicIssues(
      "St. Athanasius attended the Council of Chalcedon.",
      "St. Basil the Great wrote about the Seventh Ecumenical Council in his letters.",
      "St. John Chrysostom was present at the Second Council of Nicaea.",
      "St. Irenaeus condemned the Great Schism.",
    );
    expect(issues.map((i) => i.rule)).toEqual(Array(4).fill("patristic/anachronism"));
    expect(issues[0]!.message).toBe("St. Athanasius the Great died in c. 373, before Fourth Ecumenical Council (Chalcedon) (451).");
  });

  it("fires when a Father cites an author born after his death", () => {
    const issues = patristicIssues("St. Athanasius quotes St. John of Damascus on the icons.");
    expect(issues.map((i) => i.message)).toEqual(["St. Athanasius the Great (died c. 373) cannot cite St. John of Damascus, born c. 675."]);
  });

  it("does not fire on posthumous reception, passive sentences, or the right order", () => {
    expect(
      patristicIssues(
        "St. Cyril's teaching was confirmed at the Council of Chalcedon.",
        "Theodore of Mopsuestia was condemned at the Fifth Ecumenical Council.",
        "Long after St. Athanasius died, the Council of Chalcedon met.",
        "St. Maximus the Confessor defended the Council of Chalcedon.",
        "St. John of Damascus quotes St. Athanasius on the Incarnation.",
        "St. Athanasius attended the Council of Nicaea.",
        "St. Cyprian presided over the Council of Carthage.",
        "The Fathers of the Council of Chalcedon followed St. Cyril of Alexandria.",
      ),
    ).toEqual([]);
  });
});
