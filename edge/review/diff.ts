// Two revisions compared section by section, word by word (jsdiff's diffWords). Sections are
// matched by position: a revision never adds, removes or reorders sections.
import { diffWords } from "diff";
import type { EntrySection } from "../../shared/api/node-protocol.ts";
import { countWords } from "../../shared/text/words.ts";

export type DiffPart = { kind: "same" | "added" | "removed"; text: string };
export type SectionDiff = { index: number; title: { from: string | null; to: string | null }; changed: boolean; parts: DiffPart[] };
export type RevisionDiff = {
  from: number;
  to: number;
  sections: SectionDiff[];
  counts: { sectionsChanged: number; wordsAdded: number; wordsRemoved: number };
};

export function diffSections(from: { number: number; sections: readonly EntrySection[] }, to: { number: number; sections: readonly EntrySection[] }): RevisionDiff {
  const sections: SectionDiff[] = [];
  let wordsAdded = 0;
  let wordsRemoved = 0;
  for (let i = 0; i < Math.max(from.sections.length, to.sections.length); i++) {
    const a = from.sections[i];
    const b = to.sections[i];
    const title = { from: a?.title ?? null, to: b?.title ?? null };
    if (a && b && a.markdown === b.markdown) {
      sections.push({ index: i, title, changed: false, parts: [] });
      continue;
    }
    const parts: DiffPart[] = diffWords(a?.markdown ?? "", b?.markdown ?? "").map((change) => ({
      kind: change.added ? "added" : change.removed ? "removed" : "same",
      text: change.value,
    }));
    for (const part of parts) {
      if (part.kind === "added") wordsAdded += countWords(part.text);
      if (part.kind === "removed") wordsRemoved += countWords(part.text);
    }
    sections.push({ index: i, title, changed: true, parts });
  }
  return { from: from.number, to: to.number, sections, counts: { sectionsChanged: sections.filter((s) => s.changed).length, wordsAdded, wordsRemoved } };
}
