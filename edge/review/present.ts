// How the review flow looks on the wire: snake_case like the rest of the API, times in ISO 8601.
import type { AuditRow, Revision, RevisionSummary } from "./store.ts";

const iso = (ms: number) => new Date(ms).toISOString();

export function revisionSummaryJson(r: RevisionSummary) {
  return {
    number: r.number,
    kind: r.kind,
    base: r.base,
    author: { key_id: r.author.keyId, name: r.author.name },
    reason: r.reason,
    created_at: iso(r.createdAt),
    title: r.title,
    words: r.words,
    sections_changed: r.sectionsChanged,
    quality_score: r.qualityScore,
    validation: r.validation,
  };
}

export function revisionJson(r: Revision) {
  return { ...revisionSummaryJson(r), sections: r.sections, markdown: r.markdown, metadata: r.metadata };
}

export function auditJson(a: AuditRow) {
  return { id: a.id, at: iso(a.at), key_id: a.keyId, key_name: a.keyName, action: a.action, entry_id: a.entryId, revision: a.revision, reason: a.reason, detail: a.detail };
}
