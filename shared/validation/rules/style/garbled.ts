// style/garbled: text no reader can use, which a model too small or too hot writes and the other
// rules let through: runs of five or more digits that are no date, number or reference ("56710",
// "2076353545"; references and years have at most four, large numbers take commas), and a phrase
// said twice in a row ("the Son of God, the Son of God"). Quotations are left alone: liturgical
// texts repeat on purpose.
import type { IssueDraft, OpusDocument, Validator } from "../../types.ts";

const DIGIT_RUN = /\d{5,}/g;
const WORD = /[\p{L}\p{N}]+(?:['’]\p{L}+)?/gu;
// A repeat of function words only ("of the of the") is a slip of another rule's concern; a phrase
// repeated with a content word in it is what garbled prose looks like.
const FUNCTION_WORDS = new Set("the of and a an to in is was are be that this it as by for with on at from or but not he she they we which who so".split(" "));
const maxPhraseWords = 6;

type Word = { text: string; start: number; end: number };

/**
 * The first phrase of 2 to 6 words said twice in a row, with only spaces or commas between the two
 * ("the Son, the Son"): a name repeated in its own parenthetical citation ("St. Basil (St. Basil,
 * *On the Holy Spirit* 9)") is the house citation style, not a slip.
 */
function doubledPhrase(sentence: string, words: readonly Word[], quoted: (offset: number) => boolean): { from: Word; to: Word } | undefined {
  for (let i = 0; i < words.length; i++) {
    for (let n = 2; n <= maxPhraseWords && i + 2 * n <= words.length; n++) {
      let same = true;
      for (let k = 0; k < n && same; k++) same = words[i + k]!.text === words[i + n + k]!.text;
      if (!same || words.slice(i, i + n).every((w) => FUNCTION_WORDS.has(w.text))) continue;
      if (!/^[\s,]*$/.test(sentence.slice(words[i + n - 1]!.end, words[i + n]!.start)) || quoted(words[i]!.start)) continue;
      return { from: words[i]!, to: words[i + 2 * n - 1]! };
    }
  }
  return undefined;
}

export const garbled: Validator = {
  id: "style/garbled",
  description: "Text no reader can use: long runs of digits that are no date, number or reference, or a phrase said twice in a row.",
  severity: "error",
  dimension: "style",
  priority: 45,
  places: ["edge", "gpu"],
  validate(doc: OpusDocument): IssueDraft[] {
    const out: IssueDraft[] = [];
    for (const p of doc.paragraphs) {
      if (p.kind !== "paragraph") continue;
      const runs = [...p.content.matchAll(DIGIT_RUN)].filter((m) => !doc.inQuotation(p.contentStart + m.index!));
      if (runs.length > 0) {
        const first = runs[0]!;
        const shown = runs.slice(0, 3).map((m) => m[0]);
        out.push({
          start: p.contentStart + first.index!,
          end: p.contentStart + first.index! + first[0].length,
          message: `This paragraph has ${runs.length === 1 ? "a run" : `${runs.length} runs`} of digits that ${runs.length === 1 ? "is" : "are"} no date, number or reference (${shown.join(", ")}${runs.length > 3 ? ", ..." : ""}).`,
          suggestion: "Rewrite the paragraph; write large numbers with commas and references in full.",
        });
      }
    }
    for (const s of doc.sentences) {
      const p = doc.paragraphs[s.paragraph];
      if (p?.kind !== "paragraph") continue;
      const words = [...s.text.toLowerCase().matchAll(WORD)].map((m) => ({ text: m[0], start: m.index!, end: m.index! + m[0].length }));
      const doubled = doubledPhrase(s.text, words, (offset) => doc.inQuotation(s.start + offset));
      if (!doubled) continue;
      out.push({
        start: s.start + doubled.from.start,
        end: s.start + doubled.to.end,
        severity: "warning",
        message: `A phrase said twice in a row ("${s.text.slice(doubled.from.start, doubled.to.end)}").`,
        suggestion: "Say it once, or rewrite the sentence.",
      });
    }
    return out;
  },
};
