// How entries look on the wire: a thin status object for polling, and the finished content.
import type { ContentRow, EntryStatusRow } from "./repository.ts";

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
  return {
    ...identity(row),
    step: row.step,
    progress: Math.round(row.progress * 1000) / 1000,
    words: row.words,
    sections: { done: row.sectionsDone, total: row.sectionsTotal },
    tokens: row.tokens,
    eta_seconds: row.etaSeconds === null ? null : Math.round(row.etaSeconds),
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
    words: row.words,
    sections: content.sections,
    metadata: content.metadata,
    markdown: content.markdown,
    created_at: iso(row.createdAt),
    finished_at: iso(content.createdAt),
  };
}
