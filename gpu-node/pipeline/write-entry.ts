// The generation pipeline: runs the step table (steps.ts) over one entry, from the step its draft is
// at. Every step is checkpointed; a restarted node resumes from the last one, and with the same seed
// writes exactly what an uninterrupted run would have written. The statuses it moves the entry
// through are the shared lifecycle's working statuses (shared/lifecycle).
import { isWorking } from "../../shared/lifecycle/index.ts";
import { countWords } from "../../shared/text/words.ts";
import { newDraft, type EntryDraft } from "./draft.ts";
import type { PromptStyle } from "./prompt.ts";
import { draftProgress, draftRecord, plannedWords, writingProgress, type EntryRequest, type EntryRun, type PipelineDeps, type PipelineReport, type PipelineResult } from "./run.ts";
import { inSpan, rootScope, type TraceScope } from "./spans.ts";
import { entrySteps } from "./steps.ts";
import { promptVersion } from "./version.ts";
import type { WriteContext } from "./write-section.ts";

export { promptVersion };
export type { EntryRequest, PipelineDeps, PipelineReport, PipelineResult };

/** Progress is reported without waiting: a slow edge must never hold up generation. */
export type RunOptions = { signal: AbortSignal; onProgress: (report: PipelineReport) => void; draft?: EntryDraft | null };

/** Writes the entry, resuming from `opts.draft` when there is one, in one `entry` span. */
export function runPipeline(entry: EntryRequest, deps: PipelineDeps, opts: RunOptions): Promise<PipelineResult> {
  const attributes = { "opus.entry.id": entry.id, "opus.subject": entry.subject, "opus.tier": entry.tier, "opus.category": entry.category, "opus.resumed": Boolean(opts.draft) };
  return inSpan(rootScope(deps.tracer, entry.traceparent), "entry", attributes, async (scope, span) => {
    const result = await runSteps(entry, deps, opts, scope);
    span.setAttributes({
      "opus.status": result.status,
      "opus.words": result.entry.words,
      "opus.quality.combined": result.quality.combined,
      "gen_ai.usage.output_tokens": Number(result.entry.metadata.tokens),
    });
    return result;
  });
}

async function runSteps(entry: EntryRequest, deps: PipelineDeps, opts: RunOptions, scope: TraceScope): Promise<PipelineResult> {
  const first = entrySteps[0]!;
  const draft = opts.draft ?? newDraft(entry.seed ?? crypto.getRandomValues(new Uint32Array(1))[0]!, first.name);
  let index = entrySteps.findIndex((s) => s.name === draft.step);
  if (index < 0) throw new Error(`entry ${entry.id}: its draft is at step "${draft.step}", which the step table (gpu-node/pipeline/steps.ts) does not have`);
  const style: PromptStyle = deps.config.promptStyle === "auto" ? await deps.generator.promptStyle() : deps.config.promptStyle;
  const run = startRun(entry, deps, opts, scope, draft, style);
  for (; index < entrySteps.length; index++) {
    const step = entrySteps[index]!;
    const missing = step.needs(draft);
    if (missing) throw new Error(`entry ${entry.id}: step ${step.name} needs ${missing}`);
    await step.run(run);
    const next = entrySteps[index + 1];
    // The last step writes nothing: it stays the draft's step, so a node that stops before the edge
    // has the result runs it again.
    if (next) {
      draft.step = next.name;
      await run.save();
    }
  }
  if (!run.memo.finished) throw new Error(`entry ${entry.id}: the steps ended without a finished entry`);
  return run.memo.finished;
}

function startRun(entry: EntryRequest, deps: PipelineDeps, opts: RunOptions, scope: TraceScope, draft: EntryDraft, style: PromptStyle): EntryRun {
  const { checkpoints, config } = deps;
  const sectionsPlanned = config.tiers[entry.tier].sections;
  const save = () => checkpoints.saveDraft(entry.id, draft);
  const logStep: EntryRun["logStep"] = (step) => checkpoints.logStep(entry.id, step);
  const commit: EntryRun["commit"] = (step) => checkpoints.commitStep(entry.id, draft, step);
  const sessionStart = Date.now();
  let sessionWords = 0;
  // Progress only moves forward (a second correction round does not send it back), starts where a
  // resumed draft stands, and while sections are written follows the planned words still unwritten,
  // not the words so far: a talkative model passes the target long before the plan is done.
  let shownProgress = opts.draft ? Math.min(0.99, draftProgress(draft)) : 0;
  const report = (step: string, progress: number) => {
    const rate = sessionWords / Math.max(1, (Date.now() - sessionStart) / 1000);
    const eta = draft.status === "sections" && rate > 0 ? plannedWords(draft).left / rate : null;
    shownProgress = Math.max(shownProgress, Math.min(0.99, progress));
    // A revision reports "revising" throughout, its validation and scoring too (the edge's lifecycle has no other status for it).
    const status = draft.revision ? "revising" : isWorking(draft.status) ? draft.status : "blueprint";
    opts.onProgress({ status, ...draftRecord(draft, sectionsPlanned, step, shownProgress, eta) });
  };
  const retries: EntryRun["retries"] = (key) => ({
    attempts: config.stepRetries,
    key,
    record: async (retryKey, reason) => {
      draft.retries.push({ key: retryKey, kind: "retry", reason });
      await logStep({ key: retryKey, kind: "retry", reason });
    },
  });
  const run: EntryRun = {
    entry,
    deps,
    draft,
    style,
    scope,
    signal: opts.signal,
    save,
    commit,
    logStep,
    async enter(status, step, progress) {
      draft.status = status;
      await save();
      report(step, progress);
    },
    report,
    retries,
    writing: (trace = scope): WriteContext => ({
      generator: deps.generator,
      style,
      trace,
      config,
      draft,
      signal: opts.signal,
      priority: entry.tier,
      retrieve: deps.retrieve ? (section) => retrieveOnce(deps, draft, section, save) : undefined,
      primary: deps.sources ? (section) => primaryOnce(deps, draft, section, save) : undefined,
      logStep,
      save,
      commit,
      retries,
      onParagraph: (s) => {
        sessionWords += countWords(draft.sections[s]!.paragraphs.filter(Boolean).at(-1) ?? "");
        report(`writing section ${draft.plan!.sections[s]!.numeral}`, writingProgress(draft));
      },
    }),
    startedAt: Date.now(),
    memo: {},
  };
  return run;
}

/** Retrieves a section's passages once and keeps them in the draft, so a resumed run sees the same. */
async function retrieveOnce(deps: PipelineDeps, draft: EntryDraft, section: { numeral: string; title: string; goal: string; keyPoints: string[] }, save: () => Promise<void>): Promise<string[]> {
  const passages = (draft.passages ??= {});
  if (!passages[section.numeral]) {
    passages[section.numeral] = await deps.retrieve!({ subject: draft.plan!.subject, title: section.title, goal: section.goal, keyPoints: section.keyPoints });
    await save();
  }
  return passages[section.numeral]!;
}

/** A section's primary passages from the sources library, chosen once and kept in the draft like retrieveOnce's. */
async function primaryOnce(deps: PipelineDeps, draft: EntryDraft, section: { numeral: string; title: string; goal: string; keyPoints: string[]; sources: string[] }, save: () => Promise<void>): Promise<{ citation: string; text: string }[]> {
  const primary = (draft.primary ??= {});
  if (!primary[section.numeral]) {
    primary[section.numeral] = await deps.sources!.passages({ subject: draft.plan!.subject, title: section.title, goal: section.goal, keyPoints: section.keyPoints, sources: section.sources });
    await save();
  }
  return primary[section.numeral]!;
}
