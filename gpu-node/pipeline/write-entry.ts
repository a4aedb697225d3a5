// The generation pipeline, as an explicit state machine: queued -> blueprint -> sections ->
// validating <-> correcting -> assembling -> finalizing -> succeeded | needs_review (or failed,
// canceled). Every step is checkpointed; a restarted node resumes from the last one, and with the
// same seed writes exactly what an uninterrupted run would have written.
import type { Tracer } from "@opentelemetry/api";
import type { EntryStatus, Tier } from "../../shared/api/entry.ts";
import type { FinishedEntry } from "../../shared/api/node-protocol.ts";
import { countWords } from "../../shared/text/words.ts";
import { assemble, readBack, spanAt } from "./assemble.ts";
import type { CheckpointStore } from "./checkpoints.ts";
import type { PipelineConfig } from "./config.ts";
import { newDraft, stepSeed, type EntryDraft } from "./draft.ts";
import { generate, type TextGenerator } from "./generator.ts";
import { chatTemplateAllowance, plainPrompt, type PromptStyle } from "./prompt.ts";
import { inSpan, rootScope, type TraceScope } from "./spans.ts";
import { buildPlan, sectionDetailPrompt, sectionDetailSchema, titlesPrompt, titlesSchema, type SectionPlan } from "./plan.ts";
import { lengthReport, scoreQuality, type EntryValidator, type QualityReport, type ValidationReport } from "./quality.ts";
import { expandSection, sectionDone, sectionWords, writeParagraph, writeSection, type WriteContext } from "./write-section.ts";

export const promptVersion = "2026-11-24.1";

export type EntryJob = { id: string; subject: string; tier: Tier; category: string; seed?: number };

export type Progress = {
  status: EntryStatus;
  step: string;
  progress: number;
  words: number;
  sectionsDone: number;
  sectionsTotal: number;
  tokens: number;
  etaSeconds: number | null;
};

export type PipelineDeps = {
  generator: TextGenerator;
  config: PipelineConfig;
  validator: EntryValidator;
  checkpoints: CheckpointStore;
  /** Passages from the knowledge base that ground a section of the entry on `subject`. */
  retrieve?: (query: { subject: string; title: string; goal: string; keyPoints: string[] }) => Promise<string[]>;
  /** Reproducibility record: the model file's hash and the configuration's hash. */
  provenance: { modelSha256: string; configHash: string; model: string };
  /** Traces each entry (gpu-node/telemetry); without it, the OpenTelemetry API's no-op tracer. */
  tracer?: Tracer;
};

/** Progress is reported without waiting: a slow edge must never hold up generation. */
export type RunOptions = { signal: AbortSignal; onProgress: (p: Progress) => void; draft?: EntryDraft | null };

export type PipelineResult = { status: "succeeded" | "needs_review"; entry: FinishedEntry; quality: QualityReport };

/**
 * Like Promise.all, but waits for every branch to stop before rethrowing, so that on cancellation
 * no generation is still running (and holding a sequence) when the pipeline reports it stopped.
 */
async function allSettledOrThrow<T>(work: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<T>).value);
}

const blocking = (r: ValidationReport) => r.issues.filter((i) => i.severity === "error" || i.severity === "critical");

/** Writes the entry, resuming from `opts.draft` when there is one, in one `entry` span. */
export function runPipeline(job: EntryJob, deps: PipelineDeps, opts: RunOptions): Promise<PipelineResult> {
  const attributes = { "opus.entry.id": job.id, "opus.subject": job.subject, "opus.tier": job.tier, "opus.category": job.category, "opus.resumed": Boolean(opts.draft) };
  return inSpan(rootScope(deps.tracer), "entry", attributes, async (scope, span) => {
    const result = await writeEntry(job, deps, opts, scope);
    span.setAttributes({
      "opus.status": result.status,
      "opus.words": result.entry.words,
      "opus.quality.combined": result.quality.combined,
      "gen_ai.usage.output_tokens": Number(result.entry.metadata.tokens),
    });
    return result;
  });
}

async function writeEntry(job: EntryJob, deps: PipelineDeps, opts: RunOptions, scope: TraceScope): Promise<PipelineResult> {
  const { config, checkpoints, generator } = deps;
  const style: PromptStyle = config.promptStyle === "auto" ? await generator.promptStyle() : config.promptStyle;
  const draft: EntryDraft = opts.draft ?? newDraft(job.seed ?? crypto.getRandomValues(new Uint32Array(1))[0]!);
  const started = Date.now();
  const tierPlan = config.tiers[job.tier];
  const wordsNow = () => draft.sections.reduce((n, _, s) => n + sectionWords(draft, s), 0);
  const doneSections = () => draft.sections.filter((_, s) => sectionDone(draft, s)).length;
  const save = () => checkpoints.saveDraft(job.id, draft);
  const logStep: WriteContext["logStep"] = (step) => checkpoints.logStep(job.id, step);
  const commit: WriteContext["commit"] = (step) => checkpoints.commitStep(job.id, draft, step);
  let sessionWords = 0;
  const sessionStart = Date.now();

  // Progress only moves forward (a second correction round does not send it back), and while
  // sections are written it follows the planned words still unwritten, not the words so far: a
  // talkative model passes the target long before the plan is done.
  let shownProgress = 0;
  const plannedWords = () => {
    let total = 0;
    let left = 0;
    draft.plan?.sections.forEach((section, s) =>
      section.paragraphs.forEach((planned, p) => {
        total += planned.words;
        if (!draft.sections[s]?.paragraphs[p]) left += planned.words;
      }),
    );
    return { total, left };
  };
  const report = (step: string, progress: number) => {
    const words = draft.plan ? wordsNow() : 0;
    const rate = sessionWords / Math.max(1, (Date.now() - sessionStart) / 1000);
    const eta = draft.status === "sections" && rate > 0 ? plannedWords().left / rate : null;
    shownProgress = Math.max(shownProgress, Math.min(0.99, progress));
    opts.onProgress({
      status: draft.status,
      step,
      progress: shownProgress,
      words,
      sectionsDone: draft.plan ? doneSections() : 0,
      sectionsTotal: tierPlan.sections,
      tokens: draft.tokens,
      etaSeconds: eta,
    });
  };
  const enter = async (status: EntryStatus, step: string, progress: number) => {
    draft.status = status;
    await save();
    report(step, progress);
  };

  // Blueprint: titles, then each section's plan, under JSON-schema grammars.
  if (!draft.plan) await inSpan(scope, "blueprint", { "opus.sections": tierPlan.sections }, async (blueprint) => {
    await enter("blueprint", "planning the entry", 0.01);
    if (!draft.titles) {
      const parsed = await generateJson<{ sections: string[] }>(deps, style, job, draft, "blueprint/titles", titlesPrompt(job.subject, job.category, tierPlan.sections), (chars) => titlesSchema(tierPlan.sections, chars), opts.signal, blueprint);
      draft.titles = parsed.value.sections;
      draft.tokens += parsed.tokens;
      await commit({ key: "blueprint/titles", kind: "blueprint", tokens: parsed.tokens });
    }
    const titles = draft.titles;
    draft.details ??= titles.map(() => null);
    await allSettledOrThrow(
      titles.map(async (_, i) => {
        if (draft.details![i]) return;
        const key = `blueprint/s${i}`;
        const parsed = await generateJson<{ goal: string; keyPoints: string[]; sources: string[] }>(deps, style, job, draft, key, sectionDetailPrompt(job.subject, titles, i), sectionDetailSchema, opts.signal, blueprint);
        draft.details![i] = parsed.value;
        draft.tokens += parsed.tokens;
        await commit({ key, kind: "blueprint", tokens: parsed.tokens });
        report(`planned section ${i + 1} of ${titles.length}`, 0.01 + 0.06 * ((draft.details!.filter(Boolean).length) / titles.length));
      }),
    );
    draft.plan = buildPlan(job, titles, draft.details as { goal: string; keyPoints: string[]; sources: string[] }[], config);
    draft.sections = draft.plan.sections.map((s) => ({ paragraphs: s.paragraphs.map(() => null), expansions: 0 }));
    await save();
  });
  if (!draft.plan) throw new Error("the blueprint step ended without a plan");

  const ctx: WriteContext = {
    generator,
    style,
    trace: scope,
    config,
    draft,
    signal: opts.signal,
    priority: job.tier,
    retrieve: deps.retrieve ? (section) => retrieveOnce(deps, draft, section, save) : undefined,
    logStep,
    save,
    commit,
    onParagraph: (s, _tokens) => {
      sessionWords += countWords(draft.sections[s]!.paragraphs.filter(Boolean).at(-1) ?? "");
      const planned = plannedWords();
      report(`writing section ${draft.plan!.sections[s]!.numeral}`, 0.08 + 0.77 * (1 - planned.left / Math.max(1, planned.total)));
    },
  };

  // Sections, in parallel across the engine's sequences.
  if (["blueprint", "sections", "queued"].includes(draft.status)) {
    await enter("sections", `writing ${draft.plan.sections.length} sections`, 0.08);
    await allSettledOrThrow(
      draft.plan.sections.map((section, s) =>
        inSpan(scope, "section", { "opus.section": section.numeral, "opus.section.title": section.title, "opus.words.target": section.wordTarget }, (sectionScope) =>
          writeSection({ ...ctx, trace: sectionScope }, s),
        ),
      ),
    );
    // The entry as a whole must reach the tier's minimum: grow the sections furthest below target.
    for (;;) {
      const deficit = tierPlan.minWords - wordsNow();
      if (deficit <= 0) break;
      const candidates = draft.plan.sections
        .map((section, s) => ({ s, share: sectionWords(draft, s) / section.wordTarget }))
        .filter(({ s }) => draft.sections[s]!.expansions < config.expansionAttempts)
        .sort((a, b) => a.share - b.share);
      if (candidates.length === 0) break;
      const { s } = candidates[0]!;
      await expandSection(ctx, s, sectionWords(draft, s) + Math.min(deficit, config.paragraphWords));
    }
    await enter("validating", "validating the entry", 0.86);
  }

  // Validation and bounded correction: automatic fixes first, then regeneration of only the
  // paragraphs that still carry errors.
  const validate = () =>
    inSpan(scope, "validate", {}, async (_, span) => {
      const report = await deps.validator.validate(assemble(draft).markdown, job.tier);
      span.setAttributes({ "opus.issues": report.issues.length, "opus.issues.blocking": blocking(report).length });
      return report;
    });
  let validation = await validate();
  while (blocking(validation).length > 0 && draft.correctionRound < config.correctionRounds) {
    const round = draft.correctionRound + 1;
    if (!draft.pendingCorrections) {
      await enter("correcting", `correction round ${round}: automatic fixes`, 0.88);
      const fixed = await deps.validator.fix(assemble(draft).markdown, job.tier);
      if (fixed.fixed > 0 && readBack(draft, fixed.markdown)) {
        await commit({ key: `c${round}/autofix`, kind: "autofix", reason: `${fixed.fixed} automatic fix(es)` });
        validation = await validate();
      }
      const { spans } = assemble(draft);
      const targets = new Map<string, { section: number; paragraph: number; reason: string }>();
      for (const issue of blocking(validation)) {
        const span = spanAt(spans, issue.start);
        if (!span) continue; // headings and whole-entry issues are not a paragraph's to fix
        const key = `${span.section}/${span.paragraph}`;
        const prior = targets.get(key);
        const reason = `${issue.rule}: ${issue.message}`;
        targets.set(key, { section: span.section, paragraph: span.paragraph, reason: prior ? `${prior.reason}; ${reason}` : reason });
      }
      draft.pendingCorrections = [...targets.values()];
      await save();
    }
    const pending = draft.pendingCorrections;
    if (pending.length > 0) await enter("correcting", `correction round ${round}: rewriting ${pending.length} paragraph(s)`, 0.9);
    for (const target of pending) {
      const key = `c${round}/s${target.section}/p${target.paragraph}`;
      if ((await checkpoints.steps(job.id)).some((s) => s.key === key)) continue; // done before a restart
      const section = draft.plan.sections[target.section]!;
      const planned = section.paragraphs[target.paragraph];
      const current = draft.sections[target.section]!.paragraphs[target.paragraph] ?? "";
      const started = performance.now();
      const { text, tokens } = await writeParagraph(ctx, {
        section: target.section,
        paragraph: target.paragraph,
        point: planned?.point ?? section.goal,
        words: Math.max(40, countWords(current)),
        key,
        instruction: `Avoid: ${target.reason.slice(0, 300)}`,
      });
      draft.sections[target.section]!.paragraphs[target.paragraph] = text;
      draft.tokens += tokens;
      draft.retries.push({ key, kind: "correction", reason: target.reason });
      await commit({ key, kind: "correction", reason: target.reason, tokens, durationMs: performance.now() - started });
    }
    draft.correctionRound = round;
    draft.pendingCorrections = undefined;
    await enter("validating", `validating after correction round ${round}`, 0.92);
    validation = await validate();
    if (pending.length === 0) break; // nothing left that regeneration can reach
  }

  await enter("assembling", "assembling the entry", 0.95);
  const assembled = assemble(draft);
  await enter("finalizing", "scoring the entry", 0.97);
  const length = lengthReport(
    tierPlan.minWords,
    assembled.words,
    draft.plan.sections.map((section, s) => ({ numeral: section.numeral, required: section.wordTarget, written: sectionWords(draft, s) })),
  );
  const quality = scoreQuality(length, validation, config);
  const status = quality.passed ? "succeeded" : "needs_review";
  const entry: FinishedEntry = {
    title: job.subject,
    markdown: assembled.markdown,
    sections: assembled.sections,
    words: assembled.words,
    metadata: {
      seed: draft.seed,
      prompt_version: promptVersion,
      prompt_style: style,
      model: deps.provenance.model,
      model_sha256: deps.provenance.modelSha256,
      config_hash: deps.provenance.configHash,
      tokens: draft.tokens,
      duration_seconds: (Date.now() - started) / 1000,
      quality,
      plan: draft.plan.sections.map((s) => ({ numeral: s.numeral, title: s.title, goal: s.goal, key_points: s.keyPoints, sources: s.sources, word_target: s.wordTarget })),
      retries: draft.retries,
      issues: validation.issues.map(({ rule, severity, message, start, end }) => ({ rule, severity, message, start, end })),
    },
  };
  return { status, entry, quality };
}

const jsonSystemPrompt = "You plan Orthodox theological encyclopedia entries. Answer with JSON only.";
const jsonSample = '{"goal": "Show how the grace of God deifies the faithful", "keyPoints": ["Union with God in Christ", "The uncreated energies"]}';

/**
 * One grammar-constrained generation, retried (with a new seed) when the output does not parse. The
 * schema is sized (by `schemaFor`) to the characters the model can still write in its context.
 */
async function generateJson<T>(
  deps: PipelineDeps,
  style: PromptStyle,
  job: EntryJob,
  draft: EntryDraft,
  key: string,
  request: string,
  schemaFor: (chars: number) => object,
  signal: AbortSignal,
  scope: TraceScope,
): Promise<{ value: T; tokens: number }> {
  const prompt = plainPrompt(style, request, jsonSystemPrompt);
  const contextSize = await deps.generator.contextSize();
  const promptTokens =
    prompt.kind === "chat" ? (await deps.generator.countTokens(`${jsonSystemPrompt}${request}`)) + chatTemplateAllowance : await deps.generator.countTokens(request);
  const tokensPerChar = (await deps.generator.countTokens(jsonSample)) / jsonSample.length;
  // Grammar-constrained text tokenizes worse than free text: keep a wide margin.
  const chars = Math.floor((contextSize - promptTokens - 8) / (tokensPerChar * 1.6));
  const schema = schemaFor(chars);
  let tokens = 0;
  let lastError = "";
  for (let attempt = 0; attempt < deps.config.sectionAttempts; attempt++) {
    const result = await generate(deps.generator, prompt, {
      maxTokens: Math.max(32, contextSize - promptTokens - 4),
      jsonSchema: schema,
      temperature: deps.config.blueprintTemperature,
      seed: stepSeed(draft.seed, `${key}/try${attempt}`),
      priority: job.tier,
      signal,
    }, scope);
    signal.throwIfAborted();
    tokens += result.tokens;
    try {
      return { value: JSON.parse(result.text) as T, tokens };
    } catch (error) {
      lastError = `${key}: the model's JSON did not parse (${(error as Error).message}); stop: ${result.stopReason}`;
      draft.retries.push({ key: `${key}/try${attempt}`, kind: "retry", reason: lastError });
      await deps.checkpoints.logStep(job.id, { key: `${key}/try${attempt}`, kind: "retry", reason: lastError, tokens: result.tokens });
    }
  }
  throw new Error(`${lastError} after ${deps.config.sectionAttempts} attempts; a model with a larger context may be needed`);
}

/** Retrieves a section's passages once and keeps them in the draft, so a resumed run sees the same. */
async function retrieveOnce(deps: PipelineDeps, draft: EntryDraft, section: SectionPlan, save: () => Promise<void>): Promise<string[]> {
  const passages = (draft.passages ??= {});
  if (!passages[section.numeral]) {
    passages[section.numeral] = await deps.retrieve!({ subject: draft.plan!.subject, title: section.title, goal: section.goal, keyPoints: section.keyPoints });
    await save();
  }
  return passages[section.numeral]!;
}
