// doctrine/<name>: statements that contradict Orthodox teaching when the text affirms them
// (shared/data/doctrine.json). Precision matters as much as recall: a sentence that reports,
// rejects, questions or quotes such a teaching is not a violation, so a pattern match counts only
// when the sentence carries no negation before it, no report or attribution cue, and no quotation.
import type { IssueDraft, OpusDocument, Validator } from "../../types.ts";
import data from "../../../data/doctrine.json" with { type: "json" };

interface DoctrineRule {
  name: string;
  title: string;
  patterns: RegExp[];
  unless: RegExp[];
  explanation: string;
  authority: string[];
  suggestion: string;
}

const compile = (sources: readonly string[]): RegExp[] => sources.map((s) => new RegExp(s, "i"));

export const DOCTRINE_RULES: readonly DoctrineRule[] = data.rules.map((r) => ({
  ...r,
  patterns: r.patterns.map((p) => new RegExp(p, "gi")),
  unless: compile(r.unless),
}));
const NEGATION = compile(data.cues.negation);
const REPORT = compile(data.cues.report);
const ATTRIBUTION = compile(data.cues.attribution);
const ORTHODOX_SUBJECT = compile(data.cues.orthodoxSubject);

// All rules' keywords in one alternation (longest first), scanned once over the text; a matched word
// is then mapped to the rules whose own keywords match at its start ("persons": nestorianism and
// modalism). Keywords are a necessary condition of every pattern, so this only picks sentences.
const ANCHORED = data.rules.map((r) => new RegExp(`^(?:${r.keywords.join("|")})`, "i"));
const ALL_KEYWORDS = new RegExp([...new Set(data.rules.flatMap((r) => r.keywords))].sort((a, b) => b.length - a.length).join("|"), "gi");
const rulesByWord = new Map<string, number[]>();
function rulesFor(word: string): number[] {
  const key = word.toLowerCase();
  let rules = rulesByWord.get(key);
  if (!rules) {
    rules = [];
    ANCHORED.forEach((re, r) => {
      if (re.test(key)) rules!.push(r);
    });
    rulesByWord.set(key, rules);
  }
  return rules;
}

/** Why a matched sentence is not an affirmation, or null when it is one. */
export function excuse(sentence: string, matchStart: number, rule: DoctrineRule): string | null {
  const before = sentence.slice(0, matchStart);
  // The negation may take the match's first word with it: "No one can be saved...".
  const firstWord = /^\S*/.exec(sentence.slice(matchStart))![0];
  if (/\?\s*["”’')\]]*\s*$/.test(sentence)) return "question";
  if (NEGATION.some((re) => re.test(before + firstWord))) return "negated";
  if (REPORT.some((re) => re.test(sentence))) return "reported";
  if (ATTRIBUTION.some((re) => re.test(before)) && !ORTHODOX_SUBJECT.some((re) => re.test(before))) return "attributed";
  if (rule.unless.some((re) => re.test(sentence))) return "qualified";
  return null;
}

export const doctrine: Validator = {
  id: "doctrine",
  description: "Statements that affirm teachings the Orthodox Church rejects (one rule id per teaching: doctrine/<name>).",
  severity: "error",
  dimension: "doctrine",
  priority: 90,
  places: ["edge", "gpu"],
  validate(doc: OpusDocument): IssueDraft[] {
    const out: IssueDraft[] = [];
    // sentence index -> rules whose keywords occur in it
    const candidates = new Map<number, Set<number>>();
    const text = doc.text;
    ALL_KEYWORDS.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = ALL_KEYWORDS.exec(text)) !== null) {
      const s = doc.sentenceAt(m.index);
      if (s === -1) continue;
      let set = candidates.get(s);
      if (!set) candidates.set(s, (set = new Set()));
      for (const r of rulesFor(m[0])) set.add(r);
    }
    for (const [index, rules] of [...candidates.entries()].sort((a, b) => a[0] - b[0])) {
      const s = doc.sentences[index]!;
      if (doc.paragraphs[s.paragraph]!.kind === "blockquote") continue;
      for (const r of [...rules].sort((a, b) => a - b)) {
        const rule = DOCTRINE_RULES[r]!;
        for (const pattern of rule.patterns) {
          pattern.lastIndex = 0;
          const m = pattern.exec(s.text);
          if (!m) continue;
          const start = s.start + m.index;
          if (doc.inQuotation(start)) continue;
          if (excuse(s.text, m.index, rule)) continue;
          out.push({
            rule: `doctrine/${rule.name}`,
            start,
            end: start + m[0].length,
            message: `${rule.title}: "${m[0]}" affirms what the Orthodox Church rejects. ${rule.explanation} (Authority: ${rule.authority.join("; ")}.)`,
            suggestion: rule.suggestion,
          });
          break; // one issue per rule per sentence
        }
      }
    }
    return out;
  },
};
