// The review flow (issue 12) as plain functions over the edge's database, for the API routes
// (edge/routes/review.ts) and the portal alike: a reviewer's decisions, the revisions of an entry,
// the diff of two, and the audit log. Entry state changes go through the entries store
// (edge/entries/store.ts reviewEntry); this module builds each decision's move and records.
import { initialProgress, isFinished, type EntryStatus } from "../../shared/lifecycle/index.ts";
import type { Decision } from "../../shared/review/decisions.ts";
import type { EdgeDeps } from "../context.ts";
import type { EdgeDb } from "../db/client.ts";
import type { RevisionKind } from "../db/schema.ts";
import { validateFinishedAtEdge } from "../entries/edge-validation.ts";
import { findEntry, type EntryRow } from "../entries/reads.ts";
import { reviewEntry, type ReviewMove } from "../entries/store.ts";
import type { FieldError } from "../errors.ts";
import { dispatchPending } from "../nodes/dispatch.ts";
import { deliverDue } from "../webhooks/deliver.ts";
import { diffSections, type RevisionDiff } from "./diff.ts";
import { applyEdits } from "./edits.ts";
import { appendAudit, insertRevision, insertRevisionRequest, replaceContent, type NewRevision } from "./records.ts";
import { auditPage, entryAudit, findRevision, ownedEntryState, revisionSummaries, type AuditRow, type RevisionRow, type RevisionSummaryRow } from "./reads.ts";

export type { AuditRow } from "./reads.ts";
export type { RevisionDiff } from "./diff.ts";

/** Who acts: an API key (edge/auth.ts AuthedKey satisfies it). */
export type Reviewer = { id: string; name: string };

export type EdgeValidationSummary = { passed: boolean; score: number; dimensions: Record<string, number>; counts: Record<string, number> };

export type RevisionSummary = {
  entryId: string;
  number: number;
  kind: RevisionKind;
  base: number | null;
  author: { keyId: string | null; name: string };
  reason: string | null;
  createdAt: number;
  title: string;
  words: number;
  sectionsChanged: number[];
  qualityScore: number | null;
  validation: EdgeValidationSummary | null;
};
export type Revision = RevisionSummary & { markdown: string; sections: { title: string; markdown: string; words: number }[]; metadata: Record<string, unknown> };

const summaryOf = (row: RevisionSummaryRow | RevisionRow): RevisionSummary => {
  const metadata = "metadata" in row ? row.metadata : undefined;
  const validation = "validation" in row ? (row.validation ? (JSON.parse(row.validation) as EdgeValidationSummary) : null) : edgeSummary(metadata);
  const qualityScore = "qualityScore" in row ? row.qualityScore : typeof metadata?.quality_score === "number" ? metadata.quality_score : null;
  return {
    entryId: row.entryId,
    number: row.number,
    kind: row.kind,
    base: row.base,
    author: { keyId: row.keyId, name: row.keyName },
    reason: row.reason,
    createdAt: row.createdAt,
    title: row.title,
    words: row.words,
    sectionsChanged: row.sectionsChanged,
    qualityScore,
    validation,
  };
};

function edgeSummary(metadata: Record<string, unknown> | undefined): EdgeValidationSummary | null {
  const report = metadata?.edge_validation as (EdgeValidationSummary & { issues?: unknown }) | undefined;
  if (!report) return null;
  const { issues: _issues, ...summary } = report;
  return summary;
}

/** The entry's revisions, oldest first; undefined when the key has no such entry. */
export async function listRevisions(db: EdgeDb, entryId: string, keyId: string): Promise<RevisionSummary[] | undefined> {
  if (!(await ownedEntryState(db, entryId, keyId))) return undefined;
  return (await revisionSummaries(db, entryId)).map(summaryOf);
}

/** The entry's current revision number (0 until the pipeline's text arrived); undefined when the key has no such entry. */
export async function currentRevision(db: EdgeDb, entryId: string, keyId: string): Promise<number | undefined> {
  return (await ownedEntryState(db, entryId, keyId))?.revision;
}

/** One revision with its text and metadata (validation report, scores). */
export async function getRevision(db: EdgeDb, entryId: string, keyId: string, number: number | "current"): Promise<Revision | undefined> {
  const state = await ownedEntryState(db, entryId, keyId);
  if (!state) return undefined;
  const row = await findRevision(db, entryId, number === "current" ? state.revision : number);
  if (!row) return undefined;
  return { ...summaryOf(row), markdown: row.markdown, sections: row.sections, metadata: row.metadata };
}

/** Revisions `from` and `to` compared per section, word by word; undefined when either is missing. */
export async function diffRevisions(db: EdgeDb, entryId: string, keyId: string, from: number, to: number): Promise<RevisionDiff | undefined> {
  if (!(await ownedEntryState(db, entryId, keyId))) return undefined;
  const [a, b] = await Promise.all([findRevision(db, entryId, from), findRevision(db, entryId, to)]);
  return a && b ? diffSections(a, b) : undefined;
}

/** One entry's audit trail, oldest first; undefined when the key has no such entry. */
export async function auditFor(db: EdgeDb, entryId: string, keyId: string): Promise<AuditRow[] | undefined> {
  if (!(await ownedEntryState(db, entryId, keyId))) return undefined;
  return entryAudit(db, entryId);
}

/** The whole audit log, newest first, for admins; `cursor` is the previous page's `nextCursor`. */
export async function auditAll(db: EdgeDb, opts: { limit: number; cursor?: string; entryId?: string }): Promise<{ rows: AuditRow[]; nextCursor: string | null } | undefined> {
  const beforeId = opts.cursor === undefined ? undefined : /^\d{1,15}$/.test(opts.cursor) ? Number(opts.cursor) : NaN;
  if (Number.isNaN(beforeId)) return undefined; // not a cursor this function gave
  const rows = await auditPage(db, { limit: opts.limit, beforeId, entryId: opts.entryId });
  const page = rows.slice(0, opts.limit);
  return { rows: page, nextCursor: rows.length > opts.limit ? String(page.at(-1)!.id) : null };
}

export type DecisionOutcome =
  | { ok: true; entry: EntryRow; revision: number }
  | { ok: false; code: "entry_not_found" }
  | { ok: false; code: "stale_revision" | "not_reviewable"; current: { revision: number; status: EntryStatus } }
  | { ok: false; code: "invalid_request"; fields: FieldError[] };

/** Early webhook retries run in the decision's own background task (as node events do). */
const followUpMs = 10_000;

/**
 * Applies a reviewer's decision to one of their entries. The caller checks the `review` scope.
 * `decision.revision` is the revision the reviewer read: on any other, or on an entry that is not
 * finished (still written, revising, already decided), nothing changes and the outcome says where
 * the entry is now. `background` starts the webhook deliveries (and a revision's dispatch) at once.
 */
export async function decide(
  deps: EdgeDeps,
  reviewer: Reviewer,
  entryId: string,
  decision: Decision,
  opts: { background?: (work: Promise<unknown>) => void } = {},
): Promise<DecisionOutcome> {
  const { db, config } = deps;
  const row = await findEntry(db, entryId, reviewer.id);
  if (!row) return { ok: false, code: "entry_not_found" };
  const where = (r: EntryRow) => ({ revision: r.revision, status: r.status });
  if (!isFinished(row.status)) return { ok: false, code: "not_reviewable", current: where(row) };
  if (row.revision !== decision.revision) return { ok: false, code: "stale_revision", current: where(row) };
  const built = await buildMove(db, row, reviewer, decision);
  if ("fields" in built) return { ok: false, code: "invalid_request", fields: built.fields };
  const result = await reviewEntry(db, row.id, built, { progressIntervalMs: config.webhooks.progressIntervalMs });
  if (!result.applied) return result.reason === "entry_not_found" ? { ok: false, code: result.reason } : { ok: false, code: result.reason, current: where(result.row) };
  opts.background?.(deliverDue(db, config, { eventId: result.eventId, followUpMs }));
  if (decision.action === "revise") opts.background?.(dispatchPending(deps, { entryId: row.id }));
  return { ok: true, entry: result.row, revision: result.row.revision };
}

const sectionNames = (base: RevisionRow, indexes: readonly number[]) => indexes.map((i) => base.sections[i]!.title.split(".")[0]).join(", ");

async function buildMove(db: EdgeDb, row: EntryRow, reviewer: Reviewer, decision: Decision): Promise<ReviewMove | { fields: FieldError[] }> {
  const actor = { keyId: reviewer.id, name: reviewer.name };
  const reason = decision.reason ?? null;
  const madeOn = decision.revision;
  const audit = (action: Decision["action"], revision: number, detail: Record<string, unknown> | null) => (won: Parameters<ReviewMove["records"]>[0], now: number) => [
    appendAudit({ at: now, actor, action, entryId: row.id, revision, reason, detail }, won),
  ];
  switch (decision.action) {
    case "approve":
    case "reject": {
      const approve = decision.action === "approve";
      return {
        madeOn,
        to: approve ? "approved" : "rejected",
        event: approve ? "entry.approved" : "entry.rejected",
        step: `${approve ? "approved" : "rejected"} by ${reviewer.name}`,
        records: audit(decision.action, madeOn, null),
      };
    }
    case "edit": {
      const base = await findRevision(db, row.id, madeOn);
      if (!base) return { fields: [{ field: "revision", message: `the entry has no revision ${madeOn}` }] };
      const edited = applyEdits(base.title, base.sections, decision.edits);
      if (!edited.ok) return { fields: edited.fields };
      const { text } = edited;
      const number = madeOn + 1;
      const metadata = await validatedMetadata(base, text.markdown, text.sections, row);
      return {
        madeOn,
        // A hand edit of an entry the gate passed brings it to needs_review; in needs_review it stays.
        to: "needs_review",
        event: "entry.edited",
        step: `edited by ${reviewer.name} (revision ${number})`,
        progress: { ...row.progress, step: `edited by ${reviewer.name} (revision ${number})`, words: text.words, eta_seconds: null },
        revision: number,
        records: (won, now) => {
          const revision: NewRevision = {
            entryId: row.id,
            number,
            kind: "edit",
            base: madeOn,
            author: actor,
            reason,
            title: base.title,
            markdown: text.markdown,
            sections: text.sections,
            sectionsChanged: text.sectionsChanged,
            words: text.words,
            metadata,
            at: now,
          };
          return [
            insertRevision(revision, won),
            replaceContent(revision, won),
            ...audit("edit", number, { base: madeOn, sections: text.sectionsChanged, paragraphs: text.paragraphs })(won, now),
          ];
        },
      };
    }
    case "revise": {
      const base = await findRevision(db, row.id, madeOn);
      if (!base) return { fields: [{ field: "revision", message: `the entry has no revision ${madeOn}` }] };
      const fields: FieldError[] = [];
      const seen = new Set<number>();
      decision.sections.forEach((request, i) => {
        if (request.section >= base.sections.length) fields.push({ field: `sections.${i}.section`, message: `the entry has sections 0 to ${base.sections.length - 1}` });
        else if (seen.has(request.section)) fields.push({ field: `sections.${i}.section`, message: "this section is listed twice" });
        seen.add(request.section);
      });
      if (fields.length > 0) return { fields };
      const requests = [...decision.sections].sort((a, b) => a.section - b.section);
      const number = madeOn + 1;
      const indexes = requests.map((r) => r.section);
      const step = `waiting for a GPU node (revision ${number}: section${indexes.length > 1 ? "s" : ""} ${sectionNames(base, indexes)})`;
      return {
        madeOn,
        to: "revising",
        event: "entry.revising",
        step,
        // A revision is new work: its progress starts from 0 (and never goes back from there).
        progress: { ...initialProgress(step), words: row.progress.words, sections: { done: 0, total: requests.length } },
        records: (won, now) => [
          insertRevisionRequest({ entryId: row.id, number, base: madeOn, sections: requests, author: actor, reason, at: now }, won),
          ...audit("revise", madeOn, { sections: indexes, instructions: requests, revision_requested: number })(won, now),
        ],
      };
    }
  }
}

/**
 * A hand-edited revision's metadata: the base revision's provenance (model, seed, plan), with the
 * edge's validation report and score of the new text in place of the old ones. The node's own
 * checks (quality, issues) described the old text and are not carried over.
 */
async function validatedMetadata(base: RevisionRow, markdown: string, sections: RevisionRow["sections"], row: EntryRow): Promise<Record<string, unknown>> {
  const { quality: _quality, issues: _issues, edge_validation: _edge, quality_score: _score, revision: _revision, ...provenance } = base.metadata;
  // The edge's validator takes a finished entry as a node reports it; a hand edit is checked the same way.
  const checked = await validateFinishedAtEdge(
    {
      type: "finished",
      seq: row.eventSeq,
      status: "needs_review",
      ...row.progress,
      entry: { title: base.title, markdown, sections, words: sections.reduce((n, s) => n + s.words, 0), metadata: provenance },
    },
    row.tier,
  );
  return { ...checked.entry.metadata, edited: { base: base.number } };
}
