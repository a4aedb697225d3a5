// How entries look on the wire: a thin status object for polling, and the finished content. The
// progress record is shown as the store holds it (shared/lifecycle/progress.ts).
import { shownProgress } from "../../shared/lifecycle/index.ts";
import type { ContentRow, EntryStatusRow } from "./reads.ts";

const iso = (ms: number) => new Date(ms).toISOString();

export function entryUrls(base: string, id: string) {
  return {
    get: `${base}/v1/entries/${id}`,
    content: `${base}/v1/entries/${id}/content`,
    cancel: `${base}/v1/entries/${id}/cancel`,
  };
}

/** What every view of an entry starts with. */
const identity = (row: Pick<EntryStatusRow, "id" | "subject" | "tier" | "category" | "status">) => ({ id: row.id, subject: row.subject, tier: row.tier, category: row.category, status: row.status });

export function statusView(row: EntryStatusRow, base: string) {
  const record = row.progress;
  return {
    ...identity(row),
    // The record as stored, rounded for display (the spread keeps its fields in their order).
    ...record,
    progress: shownProgress(record.progress),
    eta_seconds: record.eta_seconds === null ? null : Math.round(record.eta_seconds),
    seed: row.seed,
    error: row.error ?? null,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    transitions: row.transitions.map((t) => ({ status: t.status, at: iso(t.at) })),
    urls: entryUrls(base, row.id),
  };
}

export const statusEtag = (row: Pick<EntryStatusRow, "id" | "version">) => `W/"${row.id}.${row.version}"`;

export function contentJson(row: EntryStatusRow, content: ContentRow) {
  return {
    ...identity(row),
    title: content.title,
    words: row.progress.words,
    sections: content.sections,
    metadata: content.metadata,
    markdown: content.markdown,
    created_at: iso(row.createdAt),
    finished_at: iso(content.createdAt),
  };
}
