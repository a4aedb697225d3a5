// Step "finish": the entry assembled as house-style Markdown, scored per dimension and as a whole,
// with its reproducibility record. It writes nothing to the draft, so a resumed run simply runs it
// again (a node that stopped before the edge had the result reports it then).
import type { FinishedEntry } from "../../../shared/api/node-protocol.ts";
import { assemble } from "../assemble.ts";
import { lengthReport, scoreQuality } from "../quality.ts";
import type { EntryRun } from "../run.ts";
import { promptVersion } from "../version.ts";
import { sectionWords } from "../write-section.ts";
import { validate } from "./correction.ts";

export async function finish(run: EntryRun): Promise<void> {
  const { draft, deps, entry } = run;
  const plan = draft.plan!;
  const validation = run.memo.validation ?? (await validate(run));
  await run.enter("assembling", "assembling the entry", 0.95);
  const assembled = assemble(draft);
  await run.enter("finalizing", "scoring the entry", 0.97);
  const length = lengthReport(
    deps.config.tiers[entry.tier].minWords,
    assembled.words,
    plan.sections.map((section, s) => ({ numeral: section.numeral, required: section.wordTarget, written: sectionWords(draft, s) })),
  );
  const quality = scoreQuality(length, validation, deps.config);
  const finished: FinishedEntry = {
    title: entry.subject,
    markdown: assembled.markdown,
    sections: assembled.sections,
    words: assembled.words,
    metadata: {
      seed: draft.seed,
      prompt_version: promptVersion,
      prompt_style: run.style,
      model: deps.provenance.model,
      model_sha256: deps.provenance.modelSha256,
      config_hash: deps.provenance.configHash,
      tokens: draft.tokens,
      duration_seconds: (Date.now() - run.startedAt) / 1000,
      quality,
      plan: plan.sections.map((s) => ({ numeral: s.numeral, title: s.title, goal: s.goal, key_points: s.keyPoints, sources: s.sources, word_target: s.wordTarget })),
      retries: draft.retries,
      issues: validation.issues.map(({ rule, severity, message, start, end }) => ({ rule, severity, message, start, end })),
      // With a sources library: each quotation verified or not, with its passage; and what each section was given to quote.
      ...(validation.quotations ? { quotations: validation.quotations } : {}),
      ...(draft.primary ? { primary_sources: draft.primary } : {}),
    },
  };
  run.memo.finished = { status: quality.passed ? "succeeded" : "needs_review", entry: finished, quality };
}
