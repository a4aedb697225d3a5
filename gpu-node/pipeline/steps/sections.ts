// Steps "sections" and "length": every planned paragraph, sections in parallel across the engine's
// sequences (short sections expanded); then the entry as a whole grown to the tier's minimum.
import type { EntryRun } from "../run.ts";
import { inSpan } from "../spans.ts";
import { expandSection, sectionWords, writeSection } from "../write-section.ts";
import { allSettledOrThrow } from "./settle.ts";

export async function writeSections(run: EntryRun): Promise<void> {
  const plan = run.draft.plan!;
  await run.enter("sections", `writing ${plan.sections.length} sections`, 0.08);
  await allSettledOrThrow(
    plan.sections.map((section, s) =>
      inSpan(run.scope, "section", { "opus.section": section.numeral, "opus.section.title": section.title, "opus.words.target": section.wordTarget }, (sectionScope) =>
        writeSection(run.writing(sectionScope), s),
      ),
    ),
  );
}

/** Grows the sections furthest below their target until the entry reaches the tier's minimum. */
export async function reachTierMinimum(run: EntryRun): Promise<void> {
  const { draft, deps, entry } = run;
  const plan = draft.plan!;
  const { minWords, margin } = deps.config.tiers[entry.tier];
  // Grown to the planned margin above the minimum, not to the minimum itself: corrections that come
  // later may shorten paragraphs, and the finished entry must still reach the tier's minimum.
  const goal = Math.ceil(minWords * (1 + margin));
  const words = () => draft.sections.reduce((n, _, s) => n + sectionWords(draft, s), 0);
  for (;;) {
    const deficit = goal - words();
    if (deficit <= 0) break;
    const candidates = plan.sections
      .map((section, s) => ({ s, share: sectionWords(draft, s) / section.wordTarget }))
      .filter(({ s }) => draft.sections[s]!.expansions < deps.config.expansionAttempts)
      .sort((a, b) => a.share - b.share);
    if (candidates.length === 0) break;
    const { s } = candidates[0]!;
    await expandSection(run.writing(), s, sectionWords(draft, s) + Math.min(deficit, deps.config.paragraphWords));
  }
}
