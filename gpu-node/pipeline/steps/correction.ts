// Step "correction": all validators run; automatic fixes first, then only the paragraphs that
// still carry an error or critical issue are regenerated, in bounded rounds, each round's targets
// fixed (in the draft) before it starts so that a resumed round rewrites exactly the same ones.
// After a round's rewrites the entry is grown back to its tier's minimum if they shortened it.
import { countWords } from "../../../shared/text/words.ts";
import { assemble, readBack, spanAt } from "../assemble.ts";
import type { ValidationReport } from "../quality.ts";
import type { EntryRun } from "../run.ts";
import { inSpan } from "../spans.ts";
import { NoUsableTextError, writeParagraph } from "../write-section.ts";
import { reachTierMinimum } from "./sections.ts";

export const blocking = (r: ValidationReport) => r.issues.filter((i) => i.severity === "error" || i.severity === "critical");

/** Validates the entry as assembled now, in a `validate` span. */
export function validate(run: EntryRun): Promise<ValidationReport> {
  return inSpan(run.scope, "validate", {}, async (_, span) => {
    const report = await run.deps.validator.validate(assemble(run.draft).markdown, run.entry.tier);
    span.setAttributes({ "opus.issues": report.issues.length, "opus.issues.blocking": blocking(report).length });
    return report;
  });
}

/** The paragraphs that carry blocking issues, with the reasons, one target per paragraph. */
function correctionTargets(run: EntryRun, validation: ValidationReport) {
  const { spans } = assemble(run.draft);
  const targets = new Map<string, { section: number; paragraph: number; reason: string }>();
  for (const issue of blocking(validation)) {
    const span = spanAt(spans, issue.start);
    if (!span) continue; // headings and whole-entry issues are not a paragraph's to fix
    const key = `${span.section}/${span.paragraph}`;
    const prior = targets.get(key);
    const reason = `${issue.rule}: ${issue.message}`;
    targets.set(key, { section: span.section, paragraph: span.paragraph, reason: prior ? `${prior.reason}; ${reason}` : reason });
  }
  return [...targets.values()];
}

export async function correct(run: EntryRun): Promise<void> {
  const { draft, deps, entry } = run;
  const plan = draft.plan!;
  await run.enter("validating", "validating the entry", 0.86);
  let validation = await validate(run);
  while (blocking(validation).length > 0 && draft.correctionRound < deps.config.correctionRounds) {
    const round = draft.correctionRound + 1;
    if (!draft.pendingCorrections) {
      await run.enter("correcting", `correction round ${round}: automatic fixes`, 0.88);
      const fixed = await deps.validator.fix(assemble(draft).markdown, entry.tier);
      if (fixed.fixed > 0 && readBack(draft, fixed.markdown)) {
        await run.commit({ key: `c${round}/autofix`, kind: "autofix", reason: `${fixed.fixed} automatic fix(es)` });
        validation = await validate(run);
      }
      draft.pendingCorrections = correctionTargets(run, validation);
      await run.save();
    }
    const pending = draft.pendingCorrections;
    if (pending.length > 0) await run.enter("correcting", `correction round ${round}: rewriting ${pending.length} paragraph(s)`, 0.9);
    for (const target of pending) {
      const key = `c${round}/s${target.section}/p${target.paragraph}`;
      if ((await deps.checkpoints.steps(entry.id)).some((s) => s.key === key)) continue; // done before a restart
      const section = plan.sections[target.section]!;
      const planned = section.paragraphs[target.paragraph];
      const current = draft.sections[target.section]!.paragraphs[target.paragraph] ?? "";
      const started = performance.now();
      let rewritten: { text: string; tokens: number };
      try {
        rewritten = await writeParagraph(run.writing(), {
          section: target.section,
          paragraph: target.paragraph,
          point: planned?.point ?? section.goal,
          words: Math.max(40, countWords(current)),
          key,
          instruction: `Avoid: ${target.reason.slice(0, 300)}`,
        });
      } catch (error) {
        if (!(error instanceof NoUsableTextError)) throw error;
        // A correction that the model will not write keeps the paragraph it had: its issue stays in the
        // report for the gate and the reviewer, and nothing written is lost.
        const kept = `${target.reason}; kept as it was: ${error.message}`;
        draft.retries.push({ key, kind: "correction", reason: kept });
        await run.commit({ key, kind: "correction", reason: kept, tokens: 0, durationMs: performance.now() - started });
        continue;
      }
      const { text, tokens } = rewritten;
      draft.sections[target.section]!.paragraphs[target.paragraph] = text;
      draft.tokens += tokens;
      draft.retries.push({ key, kind: "correction", reason: target.reason });
      await run.commit({ key, kind: "correction", reason: target.reason, tokens, durationMs: performance.now() - started });
    }
    // Rewritten paragraphs may come back shorter than the ones they replace: grow the entry back to
    // its tier's minimum (within the expansion budget) before judging it again.
    if (pending.length > 0) await reachTierMinimum(run);
    draft.correctionRound = round;
    draft.pendingCorrections = undefined;
    await run.enter("validating", `validating after correction round ${round}`, 0.92);
    validation = await validate(run);
    if (pending.length === 0) break; // nothing left that regeneration can reach
  }
  run.memo.validation = validation;
}
