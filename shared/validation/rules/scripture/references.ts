// scripture/unknown-book and scripture/invalid-reference: every Scripture reference is parsed and
// checked against the Orthodox canon, down to chapter and verse, in the Septuagint or Masoretic
// numbering; "Psalm 82:6 (LXX 81:6)" must also pair numbers that correspond.
import type { IssueDraft, OpusDocument, ScriptureReference, Validator } from "../../types.ts";
import { bookByOsis, bounds, closestBook, lxxToMt, mtToLxx } from "../../scripture/canon.ts";

export const unknownBook: Validator = {
  id: "scripture/unknown-book",
  description: "A Scripture reference names a book that is not in the Orthodox canon.",
  severity: "error",
  dimension: "citations",
  priority: 70,
  places: ["edge", "gpu"],
  validate(doc: OpusDocument): IssueDraft[] {
    const out: IssueDraft[] = [];
    for (const ref of doc.scripture) {
      if (!ref.unknownBook) continue;
      const close = closestBook(ref.book);
      const draft: IssueDraft = {
        start: ref.start,
        end: ref.start + ref.book.length,
        message: `"${ref.book}" is not a book of the Orthodox canon.`,
      };
      draft.suggestion = close ? `Did you mean ${close}?` : "Check the book name; write it in full (\"1 Corinthians\", \"Wisdom of Solomon\").";
      out.push(draft);
    }
    return out;
  },
};

function label(ref: ScriptureReference): string {
  return bookByOsis(ref.book)?.name ?? ref.book;
}

/** A problem with one position (chapter, optional verse) of a book, or null. */
function checkPosition(osis: string, name: string, chapter: number, verse: number | undefined, lxxPsalms = false): string | null {
  if (chapter < 1) return `Chapter 0 does not exist in ${name}.`;
  if (verse !== undefined && verse < 1) return `Verse 0 does not exist (${name} ${chapter}:0).`;
  const b = bounds(osis, chapter, lxxPsalms);
  const numbering = lxxPsalms ? " in the Septuagint numbering" : "";
  if (chapter > b.maxChapter) return `${name} has ${b.maxChapter} chapter${b.maxChapter === 1 ? "" : "s"}${numbering}; ${chapter} does not exist.`;
  if (verse !== undefined && verse > b.maxVerse) return `${name} ${chapter} has ${b.maxVerse} verses${numbering}; ${chapter}:${verse} does not exist.`;
  return null;
}

function checkReference(ref: ScriptureReference): { message: string; suggestion?: string; start?: number; end?: number } | null {
  const name = ref.book === "Ps" ? "Psalm" : label(ref);
  const startProblem = checkPosition(ref.book, ref.book === "Ps" && ref.chapter > 150 ? "Psalm" : name, ref.chapter, ref.verse);
  if (startProblem) return { message: startProblem };
  const endChapter = ref.endChapter ?? ref.chapter;
  if (ref.endChapter !== undefined || ref.endVerse !== undefined) {
    const endProblem = checkPosition(ref.book, name, endChapter, ref.endVerse);
    if (endProblem) return { message: `The range ends past the text: ${endProblem}` };
    const startKey = ref.chapter * 1000 + (ref.verse ?? 0);
    const endKey = endChapter * 1000 + (ref.endVerse ?? 999);
    if (endKey < startKey) {
      return { message: `The range ${ref.text.replace(/\s*\(.*$/, "")} runs backwards.`, suggestion: "Write the smaller number first." };
    }
  }
  if (ref.alternate && ref.book === "Ps") {
    const alt = ref.alternate;
    const altProblem = checkPosition("Ps", "Psalm", alt.chapter, alt.verse, alt.versification === "lxx");
    if (altProblem) return { message: altProblem, start: alt.start, end: alt.end };
    const expected = alt.versification === "lxx" ? mtToLxx(ref.chapter, ref.verse) : lxxToMt(ref.chapter);
    if (!expected.includes(alt.chapter)) {
      const scheme = alt.versification === "lxx" ? "Septuagint" : "Hebrew";
      const other = alt.versification === "lxx" ? "Hebrew" : "Septuagint";
      return {
        message: `${other} Psalm ${ref.chapter} is Psalm ${expected.join(" or ")} in the ${scheme} numbering, not ${alt.chapter}.`,
        suggestion: `Write (${alt.versification === "lxx" ? "LXX" : "MT"} ${expected[0]}${alt.verse !== undefined ? `:${alt.verse}` : ""}).`,
        start: alt.start,
        end: alt.end,
      };
    }
  }
  return null;
}

export const invalidReference: Validator = {
  id: "scripture/invalid-reference",
  description: "A Scripture reference points past the end of a book or chapter, or pairs Hebrew and Greek psalm numbers that do not correspond.",
  severity: "error",
  dimension: "citations",
  priority: 71,
  places: ["edge", "gpu"],
  validate(doc: OpusDocument): IssueDraft[] {
    const out: IssueDraft[] = [];
    for (const ref of doc.scripture) {
      if (ref.unknownBook) continue;
      const problem = checkReference(ref);
      if (!problem) continue;
      const draft: IssueDraft = { start: problem.start ?? ref.start, end: problem.end ?? ref.end, message: problem.message };
      draft.suggestion = problem.suggestion ?? "Check the reference against the text of the Septuagint or the New Testament.";
      out.push(draft);
    }
    return out;
  },
};
