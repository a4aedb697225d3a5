// The pipeline's steps, in order: the one place that says where an entry goes next and how it picks
// up after a restart. Each row: the status the entry shows while the step runs, what the step needs
// in the draft, what it writes there, how it resumes, and the function that does it. The draft
// records the step it is at (draft.step); the step after a finished one is saved before it starts,
// so a restarted node runs each step once, from its checkpoints.
//
// Adding a step is one row here and one function in steps/ (as "revision" was: a reviewer's revision
// of chosen sections, whose draft starts at that row).
import type { ReportedStatus } from "../../shared/lifecycle/index.ts";
import type { EntryDraft } from "./draft.ts";
import type { EntryRun } from "./run.ts";
import { writeBlueprint } from "./steps/blueprint.ts";
import { correct } from "./steps/correction.ts";
import { finish } from "./steps/finish.ts";
import { reviseSections } from "./steps/revision.ts";
import { reachTierMinimum, writeSections } from "./steps/sections.ts";

export type EntryStep = {
  name: string;
  /** The status the entry shows while the step runs (its first one, when it moves through several). */
  status: ReportedStatus;
  /** What the draft must hold for the step to run: null when it is ready, else what is missing. */
  needs: (draft: EntryDraft) => string | null;
  writes: string;
  resumes: string;
  run: (run: EntryRun) => Promise<void>;
};

const planned = (d: EntryDraft) => (d.plan ? null : "a plan (the blueprint step)");
const written = (d: EntryDraft) =>
  planned(d) ?? (d.plan!.sections.every((section, s) => section.paragraphs.every((_, p) => d.sections[s]?.paragraphs[p])) ? null : "every planned paragraph (the sections step)");

export const entrySteps: readonly EntryStep[] = [
  {
    name: "blueprint",
    status: "blueprint",
    needs: () => null,
    writes: "titles, then details (goal, key points, sources) per section, then plan and one empty slot per planned paragraph",
    resumes: "keeps the titles and the details already made (each committed with its step row); generates only what is missing",
    run: writeBlueprint,
  },
  {
    name: "sections",
    status: "sections",
    needs: planned,
    writes: "sections[s].paragraphs: every planned paragraph (s<i>/p<j>), then expansions of a short section (s<i>/x<k>), each committed with its step row",
    resumes: "never rewrites a written paragraph; an expansion slot a restart left empty is written afresh",
    run: writeSections,
  },
  {
    name: "length",
    status: "sections",
    needs: written,
    writes: "expansion paragraphs for the sections furthest below their target, until the entry reaches its tier's minimum or the sections their expansion budget",
    resumes: "counts the words written and carries on",
    run: reachTierMinimum,
  },
  {
    name: "correction",
    status: "validating",
    needs: written,
    writes: "automatic fixes (c<r>/autofix), each round's targets in pendingCorrections before it starts, the rewritten paragraphs (c<r>/s<i>/p<j>), expansions (s<i>/x<k>) when the rewrites left the entry short of its tier's minimum and margin, correctionRound",
    resumes: "validates again; a round in progress keeps its targets and skips the paragraphs it already rewrote",
    run: correct,
  },
  {
    name: "revision",
    status: "revising",
    needs: (d) => (d.revision ? planned(d) : null),
    writes: "only the chosen sections' paragraphs (r<n>/s<i>/p<j>), each with the reviewer's instructions; every other section keeps its text",
    resumes: "never rewrites a paragraph of the revision already written; an entry's first writing passes this step by (its draft has no revision)",
    run: reviseSections,
  },
  {
    name: "finish",
    status: "assembling",
    needs: written,
    writes: "nothing: the finished entry, its scores and its record are computed from the draft",
    resumes: "runs again",
    run: finish,
  },
];

export function stepNamed(name: string): EntryStep | undefined {
  return entrySteps.find((s) => s.name === name);
}
