// Step "revision": a reviewer's revision of chosen sections (issue 12). The draft is built from the
// revision the edge sends (revisionDraft): every section's paragraphs as they stand, the chosen ones
// emptied and planned afresh. This step writes only those, each paragraph with the reviewer's
// instructions for its section and the rest of the entry as context, checkpointed one by one under
// its own keys (r<n>/s<i>/p<j>), so a node killed mid-revision resumes where it stopped. The steps
// after it validate and score the whole entry again; the other sections keep every byte.
// An entry's first writing passes this step by (its draft has no revision).
import type { EntryAssignment } from "../../../shared/api/node-protocol.ts";
import { splitSection } from "../../../shared/review/sections.ts";
import { toRoman } from "../../../shared/text/roman.ts";
import { countWords } from "../../../shared/text/words.ts";
import type { PipelineConfig } from "../config.ts";
import { newDraft, type EntryDraft } from "../draft.ts";
import { planParagraphs, type EntryPlan, type SectionPlan } from "../plan.ts";
import type { EntryRun } from "../run.ts";
import { inSpan } from "../spans.ts";
import { writeParagraph, type WriteContext } from "../write-section.ts";
import { allSettledOrThrow } from "./settle.ts";

type Revision = NonNullable<EntryAssignment["revision"]>;

/** `## II. Title` -> numeral and title (the heading the pipeline writes). */
function heading(line: string, index: number, fallback: string): { numeral: string; title: string } {
  const match = /^## ([^.\s]+)\. (.+)$/.exec(line);
  return match ? { numeral: match[1]!, title: match[2]! } : { numeral: toRoman(index + 1), title: fallback.replace(/^[^.\s]+\.\s+/, "") };
}

/** The draft a revision starts from: the base revision's text, the chosen sections emptied and planned afresh. */
export function revisionDraft(assignment: EntryAssignment, config: PipelineConfig): EntryDraft {
  const revision: Revision = assignment.revision!;
  const chosen = new Set(revision.requests.map((r) => r.section));
  const sections = revision.sections.map((section, s) => {
    const { heading: line, paragraphs } = splitSection(section.markdown);
    const { numeral, title } = heading(line, s, section.title);
    const planned = revision.plan?.[s];
    const goal = planned?.goal ?? title;
    const keyPoints = planned?.key_points ?? [];
    const wordTarget = planned?.word_target || section.words;
    const point = (p: number) => (p === 0 ? goal : (keyPoints[(p - 1) % Math.max(1, keyPoints.length)] ?? goal));
    const plan: SectionPlan = {
      numeral,
      title,
      goal,
      keyPoints,
      sources: planned?.sources ?? [],
      wordTarget,
      paragraphs: chosen.has(s) ? planParagraphs(wordTarget, config.paragraphWords, keyPoints, goal) : paragraphs.map((text, p) => ({ point: point(p), words: countWords(text) })),
    };
    return { plan, slots: { paragraphs: chosen.has(s) ? plan.paragraphs.map(() => null) : [...paragraphs], expansions: 0 } };
  });
  const plan: EntryPlan = {
    subject: revision.title,
    category: assignment.category,
    tier: assignment.tier,
    minWords: config.tiers[assignment.tier].minWords,
    sections: sections.map((s) => s.plan),
  };
  return {
    ...newDraft(revision.seed ?? assignment.seed ?? 0, "revision"),
    status: "revising",
    titles: plan.sections.map((s) => s.title),
    plan,
    sections: sections.map((s) => s.slots),
    revision: { number: revision.number, base: revision.base, requests: revision.requests },
  };
}

/** The revision's progress: the share of the chosen sections' paragraphs written (5% to 90%). */
export function revisionProgress(draft: EntryDraft): number {
  const chosen = draft.revision?.requests.map((r) => draft.sections[r.section]!) ?? [];
  const slots = chosen.flatMap((s) => s.paragraphs);
  return 0.05 + 0.85 * (slots.filter(Boolean).length / Math.max(1, slots.length));
}

/** The other sections' text, for the prompt: what the rewritten section must agree with and not repeat. */
function restOfEntry(draft: EntryDraft, except: number): string {
  const plan = draft.plan!;
  const others = plan.sections
    .map((section, s) => (s === except ? "" : `${section.numeral}. ${section.title}: ${draft.sections[s]!.paragraphs.filter(Boolean).join(" ")}`))
    .filter(Boolean);
  return `The rest of the entry (agree with it, do not repeat it): ${others.join(" ")}\n`;
}

export async function reviseSections(run: EntryRun): Promise<void> {
  const { draft } = run;
  const revision = draft.revision;
  if (!revision) return;
  const plan = draft.plan!;
  const names = revision.requests.map((r) => plan.sections[r.section]!.numeral).join(", ");
  await run.enter("revising", `revision ${revision.number}: rewriting section${revision.requests.length > 1 ? "s" : ""} ${names}`, revisionProgress(draft));
  await allSettledOrThrow(
    revision.requests.map((request) => {
      const section = plan.sections[request.section]!;
      return inSpan(run.scope, "section", { "opus.section": section.numeral, "opus.section.title": section.title, "opus.revision": revision.number }, (scope) => {
        const ctx: WriteContext = { ...run.writing(scope), onParagraph: () => run.report(`revision ${revision.number}: rewriting section ${section.numeral}`, revisionProgress(draft)) };
        return reviseSection(ctx, request, revision.number);
      });
    }),
  );
}

async function reviseSection(ctx: WriteContext, request: { section: number; instructions: string }, number: number): Promise<void> {
  const { draft } = ctx;
  const s = request.section;
  const section = draft.plan!.sections[s]!;
  const slots = draft.sections[s]!;
  for (let p = 0; p < section.paragraphs.length; p++) {
    if (slots.paragraphs[p]) continue; // written before a restart: never write it twice
    const key = `r${number}/s${s}/p${p}`;
    const planned = section.paragraphs[p]!;
    const started = performance.now();
    const { text, tokens } = await writeParagraph(ctx, {
      section: s,
      paragraph: p,
      point: planned.point,
      words: planned.words,
      key,
      instruction: `A reviewer asked for this section: ${request.instructions}`,
      context: restOfEntry(draft, s),
    });
    slots.paragraphs[p] = text;
    draft.tokens += tokens;
    await ctx.commit({ key, kind: "revision", reason: request.instructions.slice(0, 300), tokens, durationMs: performance.now() - started });
    ctx.onParagraph(s, tokens);
  }
}
