// One run of the pipeline over one entry: what every step works with (the entry, the draft, the
// engine and the other parts, the trace, the abort signal) and how it saves and reports. Also where
// a draft stands, as the shared progress record, for reports made before or after a run.
import type { Tracer } from "@opentelemetry/api";
import type { EntryAssignment, FinishedEntry } from "../../shared/api/node-protocol.ts";
import type { ProgressRecord, ReportedStatus } from "../../shared/lifecycle/index.ts";
import type { StepEntry, CheckpointStore } from "./checkpoints.ts";
import type { PipelineConfig } from "./config.ts";
import type { EntryDraft } from "./draft.ts";
import type { TextGenerator, TransientRetries } from "./generator.ts";
import type { PromptStyle } from "./prompt.ts";
import type { EntryValidator, QualityReport, ValidationReport } from "./quality.ts";
import type { TraceScope } from "./spans.ts";
import { revisionProgress } from "./steps/revision.ts";
import { sectionDone, sectionWords, type WriteContext } from "./write-section.ts";

/** What the pipeline writes: the entry as the edge assigned it (where to report is the runner's). */
export type EntryRequest = Pick<EntryAssignment, "id" | "subject" | "tier" | "category" | "seed" | "traceparent">;

export type PipelineDeps = {
  generator: TextGenerator;
  config: PipelineConfig;
  validator: EntryValidator;
  checkpoints: CheckpointStore;
  /** Passages from the knowledge base that ground a section of the entry on `subject`. */
  retrieve?: (query: { subject: string; title: string; goal: string; keyPoints: string[] }) => Promise<string[]>;
  /** The sources library (gpu-node/sources): works the blueprint may choose, primary passages per section. */
  sources?: PipelineSources;
  /** Reproducibility record: the model file's hash and the configuration's hash. */
  provenance: { modelSha256: string; configHash: string; model: string };
  /** Traces each entry (gpu-node/telemetry); without it, the OpenTelemetry API's no-op tracer. */
  tracer?: Tracer;
};

/** A primary passage a section's prompts quote from, with its house-style citation. */
export type PrimaryPassage = { citation: string; text: string; sourceUrl: string | null };

export type PipelineSources = {
  /** Works of the library the blueprint may choose as sources ("St. John Chrysostom, Homilies on Hebrews"). */
  works(subject: string, category: string): Promise<string[]>;
  /** The passages a section's prompts get, from its chosen sources first. */
  passages(query: { subject: string; title: string; goal: string; keyPoints: string[]; sources: string[] }): Promise<PrimaryPassage[]>;
};

export type PipelineResult = { status: "succeeded" | "needs_review"; entry: FinishedEntry; quality: QualityReport };

/** What the pipeline reports: the status it is in and the shared progress record, as they go on the wire. */
export type PipelineReport = { status: ReportedStatus } & ProgressRecord;

export type EntryRun = {
  entry: EntryRequest;
  deps: PipelineDeps;
  draft: EntryDraft;
  style: PromptStyle;
  scope: TraceScope;
  signal: AbortSignal;
  /** Saves the draft as it is now. */
  save(): Promise<void>;
  /** Saves the draft and logs the step that changed it, atomically. */
  commit(step: StepEntry): Promise<boolean>;
  logStep(step: StepEntry): Promise<boolean>;
  /** Moves the entry to `status`, saves it, and reports. */
  enter(status: ReportedStatus, step: string, progress: number): Promise<void>;
  /** Reports where the entry is (progress only moves forward). */
  report(step: string, progress: number): void;
  /** How a generation of step `key` is retried on a transient fault. */
  retries(key: string): TransientRetries;
  /** The context for writing paragraphs, under `scope` (the entry's span by default). */
  writing(scope?: TraceScope): WriteContext;
  /** When this run started (for the entry's duration). */
  startedAt: number;
  /** What one step leaves for the next within this run; a resumed run recomputes it. */
  memo: { validation?: ValidationReport; finished?: PipelineResult };
};

/** Planned words in all, and those not written yet. */
export function plannedWords(draft: EntryDraft): { total: number; left: number } {
  let total = 0;
  let left = 0;
  draft.plan?.sections.forEach((section, s) =>
    section.paragraphs.forEach((planned, p) => {
      total += planned.words;
      if (!draft.sections[s]?.paragraphs[p]) left += planned.words;
    }),
  );
  return { total, left };
}

export const wordsWritten = (draft: EntryDraft) => (draft.plan ? draft.sections.reduce((n, _, s) => n + sectionWords(draft, s), 0) : 0);

/** Progress while sections are written: the share of the planned words written (8% to 85%). */
export function writingProgress(draft: EntryDraft): number {
  const planned = plannedWords(draft);
  return 0.08 + 0.77 * (1 - planned.left / Math.max(1, planned.total));
}

/** Where a draft stands, 0..1, by the step it is at (so a resumed run does not report from zero). */
export function draftProgress(draft: EntryDraft): number {
  switch (draft.step) {
    case "blueprint":
      return draft.details ? 0.01 + 0.06 * (draft.details.filter(Boolean).length / Math.max(1, draft.details.length)) : 0;
    case "sections":
    case "length":
      return writingProgress(draft);
    case "correction":
      return 0.86;
    case "revision":
      return draft.revision ? revisionProgress(draft) : 0.95;
    default:
      return 0.95;
  }
}

/** The progress record of a draft now. */
export function draftRecord(draft: EntryDraft, sectionsPlanned: number, step: string, progress: number, etaSeconds: number | null): ProgressRecord {
  return {
    step,
    progress,
    words: wordsWritten(draft),
    sections: { done: draft.plan ? draft.sections.filter((_, s) => sectionDone(draft, s)).length : 0, total: sectionsPlanned },
    tokens: draft.tokens,
    eta_seconds: etaSeconds,
  };
}
