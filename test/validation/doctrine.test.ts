import { describe, expect, it } from "vitest";
import doctrineData from "../../shared/data/doctrine.json" with { type: "json" };
import { lintMarkdownSync } from "../../shared/validation/index.ts";
import { fixture, issuesOf, oneSection } from "./helpers.ts";

const doctrineRules = (sentence: string): string[] => issuesOf(oneSection(sentence), "doctrine/").map((i) => i.rule);

// Sentences that affirm the error in the writer's own voice: each must fire its rule.
const FIRES: [string, string][] = [
  ["filioque", "The Holy Spirit proceeds from the Father and the Son."],
  ["filioque", "The Spirit eternally proceeds from both the Father and the Son as from one principle."],
  ["filioque", "The Spirit has his origin also from the Son."],
  ["filioque", "The Father and the Son are one principle of the Holy Spirit."],
  ["filioque", "We confess the Filioque with the whole Church."],
  ["created-grace", "Sanctifying grace is a created quality of the soul."],
  ["created-grace", "God infuses the soul with created grace at baptism."],
  ["created-grace", "The light of Tabor was a created symbol of the divinity."],
  ["essence-participation", "In the age to come the saints will see the divine essence face to face."],
  ["essence-participation", "Deification is participation in the essence of God."],
  ["essence-participation", "The saints become God by nature."],
  ["purgatory", "After death the souls of the faithful are purified in purgatory before entering heaven."],
  ["purgatory", "Purgatory is a state of temporal punishment for forgiven sins."],
  ["purgatory", "Indulgences shorten the sufferings of the departed."],
  ["immaculate-conception", "The Theotokos was conceived without original sin."],
  ["immaculate-conception", "Mary was immaculately conceived by a singular grace."],
  ["nestorianism", "Mary is the mother of Christ but not the mother of God."],
  ["nestorianism", "There are two persons in Christ, the Word and the man Jesus."],
  ["nestorianism", "The Word dwelt in the man Jesus as in a temple."],
  ["modalism", "The Father, the Son, and the Holy Spirit are three modes of one person."],
  ["modalism", "God is a single person who reveals himself as Father, Son and Spirit."],
  ["arianism", "The Son is a creature, the first of all created things."],
  ["arianism", "The Son is not of the same essence as the Father."],
  ["arianism", "The Son had a beginning."],
  ["pneumatomachianism", "The Holy Spirit is an impersonal force."],
  ["monophysitism", "Christ has only one nature, the divine."],
  ["monophysitism", "His humanity was absorbed into his divinity like a drop of honey in the sea."],
  ["monothelitism", "Christ has a single will, the divine will."],
  ["apollinarianism", "Christ had no human mind, for the Word took its place."],
  ["adoptionism", "Jesus became the Son of God at his baptism."],
  ["adoptionism", "Christ was a mere man filled with the Spirit."],
  ["iconoclasm", "The veneration of icons is idolatry."],
  ["iconoclasm", "Christ cannot be depicted in images."],
  ["origenism", "Human souls preexisted their bodies."],
  ["pelagianism", "Man can be saved by his own efforts without grace."],
  ["double-predestination", "God predestines some people to damnation."],
  ["papal-supremacy", "The Pope is infallible when he defines doctrine."],
  ["filioque", "The Church teaches that the Spirit proceeds from the Father and the Son."],
];

// Sentences that report, reject, question, quote or state the Orthodox teaching: none may fire.
const SILENT: string[] = [
  "The Holy Spirit proceeds from the Father.",
  "The Spirit proceeds from the Father through the Son and rests on the Son.",
  "The Holy Spirit proceeds from the Father and the Son is begotten of the Father.",
  "The Orthodox Church rejects the teaching that the Spirit proceeds from the Father and the Son.",
  "The Latins added that the Spirit proceeds from the Father and the Son.",
  "Does the Spirit proceed from the Father and the Son?",
  'The Frankish creed read "who proceeds from the Father and the Son" at Toledo.',
  "It is false to say that the Spirit proceeds from the Father and the Son.",
  "Barlaam held that the light of Tabor was a created symbol.",
  "Grace is not created but is the uncreated energy of God.",
  "No creature will ever see the divine essence.",
  "The saints become by grace what God is by nature.",
  "St. Mark of Ephesus refuted the claim that souls are purified in purgatory.",
  "The Orthodox Church prays for the departed without any doctrine of purgatory.",
  "The dogma of the Immaculate Conception, defined in 1854, holds that Mary was conceived without original sin.",
  "The Theotokos was free from all personal sin.",
  "Nestorius taught that Mary is the mother of Christ but not the mother of God.",
  "The Virgin is rightly called Theotokos, for she bore God the Word in the flesh.",
  "Sabellius claimed that the Father, the Son, and the Holy Spirit are three modes of one person.",
  "God is one in essence and three in persons.",
  "Arius taught that the Son is a creature.",
  "The Word was made flesh and dwelt among us (John 1:14).",
  "The Son is not a creature but is begotten before all ages.",
  "There was never a time when the Son was not.",
  "The Holy Spirit is the Lord, the Giver of Life.",
  "Christ has two natures, divine and human, without confusion.",
  "St. Cyril speaks of the one nature of God the Word incarnate.",
  "The Monothelites claimed that Christ has a single will.",
  "Christ has two wills, the human will obeying the divine.",
  "The iconoclasts held that the veneration of icons is idolatry.",
  "The honour given to the icon passes to its prototype.",
  "The Council of 553 condemned the notion that souls preexisted their bodies.",
  "No one can be saved by his own efforts without grace.",
  "The Calvinist doctrine that God predestines some people to damnation was rejected at Jerusalem in 1672.",
  "If the Pope is infallible, then the councils are superfluous.",
  "Christ was a man like us in all things but sin.",
];

describe("doctrine/<name>", () => {
  it("has an explanation, a suggestion and an authority for every rule", () => {
    for (const r of doctrineData.rules) {
      expect(r.explanation.length, r.name).toBeGreaterThan(40);
      expect(r.authority.length, r.name).toBeGreaterThan(0);
      expect(r.suggestion.length, r.name).toBeGreaterThan(10);
      for (const p of r.patterns) expect(() => new RegExp(p, "i")).not.toThrow();
    }
    const covered = new Set(FIRES.map(([name]) => name));
    expect(doctrineData.rules.map((r) => r.name).filter((n) => !covered.has(n))).toEqual([]);
  });

  it.each(FIRES)("doctrine/%s fires on: %s", (name, sentence) => {
    expect(doctrineRules(sentence)).toEqual([`doctrine/${name}`]);
  });

  it.each(SILENT.map((s) => [s]))("stays silent on: %s", (sentence) => {
    expect(doctrineRules(sentence)).toEqual([]);
  });

  it("explains the issue and names its authority", () => {
    const [issue] = issuesOf(oneSection("The Holy Spirit proceeds from the Father and the Son."), "doctrine/");
    expect(issue!.severity).toBe("error");
    expect(issue!.message).toMatch(/^The Filioque: "proceeds from the Father and the Son" affirms what the Orthodox Church rejects\./);
    expect(issue!.message).toMatch(/Authority: Nicene-Constantinopolitan Creed/);
    expect(issue!.suggestion).toMatch(/John 15:26/);
  });

  it("lets configuration switch one doctrine rule off or change its severity", () => {
    const md = oneSection("The Holy Spirit proceeds from the Father and the Son. The Son had a beginning.");
    const off = lintMarkdownSync(md, { config: { rules: { "doctrine/filioque": false } } });
    expect(off.issues.filter((i) => i.rule.startsWith("doctrine/")).map((i) => i.rule)).toEqual(["doctrine/arianism"]);
    const warn = lintMarkdownSync(md, { config: { rules: { "doctrine/*": { severity: "warning" } } } });
    expect(warn.issues.filter((i) => i.rule.startsWith("doctrine/")).map((i) => i.severity)).toEqual(["warning", "warning"]);
    expect(warn.byRule["doctrine/arianism"]?.count).toBe(1);
  });

  it("finds nothing in the exemplar entries", () => {
    expect(issuesOf(fixture("theosis.md"), "doctrine/")).toEqual([]);
    expect(issuesOf(fixture("holy-trinity.md"), "doctrine/")).toEqual([]);
  });
});
