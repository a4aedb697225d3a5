// The review flow's writes (revisions, revision requests, audit rows) as SQL statements that run in
// the same batch (one transaction) as the entry's change in edge/entries/store.ts, each guarded so
// that it takes effect only if that change won: a decision and its records exist together or not at all.
import { sql, type SQL } from "drizzle-orm";
import type { EntrySection } from "../../shared/api/node-protocol.ts";
import type { AuditAction, SectionRequest } from "../../shared/review/decisions.ts";
import type { RevisionKind } from "../db/schema.ts";

/** True after the batch's UPDATE of `entryId` that wrote `token` to change_token (and no other change since). */
export const changeWon = (entryId: string, token: string): SQL => sql`EXISTS (SELECT 1 FROM entries WHERE id = ${entryId} AND change_token = ${token})`;

export type NewRevision = {
  entryId: string;
  number: number;
  kind: RevisionKind;
  base: number | null;
  author: { keyId: string | null; name: string };
  reason: string | null;
  title: string;
  markdown: string;
  sections: EntrySection[];
  sectionsChanged: number[];
  words: number;
  metadata: Record<string, unknown>;
  at: number;
};

/** Adds a revision (a plain INSERT: a second revision with the same number fails the whole batch). */
export function insertRevision(r: NewRevision, guard: SQL): SQL {
  return sql`INSERT INTO entry_revisions (entry_id, number, kind, base, key_id, key_name, reason, title, markdown, sections, sections_changed, words, metadata, created_at)
    SELECT ${r.entryId}, ${r.number}, ${r.kind}, ${r.base}, ${r.author.keyId}, ${r.author.name}, ${r.reason}, ${r.title}, ${r.markdown},
           ${JSON.stringify(r.sections)}, ${JSON.stringify(r.sectionsChanged)}, ${r.words}, ${JSON.stringify(r.metadata)}, ${r.at}
    WHERE ${guard}`;
}

/** Makes `r` the text the content route serves (entry_contents holds the current revision). */
export function replaceContent(r: NewRevision, guard: SQL): SQL {
  return sql`UPDATE entry_contents SET title = ${r.title}, markdown = ${r.markdown}, sections = ${JSON.stringify(r.sections)}, metadata = ${JSON.stringify(r.metadata)}
    WHERE entry_id = ${r.entryId} AND ${guard}`;
}

export type NewRevisionRequest = {
  entryId: string;
  number: number;
  base: number;
  sections: SectionRequest[];
  author: { keyId: string; name: string };
  reason: string | null;
  at: number;
};

export function insertRevisionRequest(r: NewRevisionRequest, guard: SQL): SQL {
  return sql`INSERT INTO revision_requests (entry_id, number, base, sections, key_id, key_name, reason, created_at)
    SELECT ${r.entryId}, ${r.number}, ${r.base}, ${JSON.stringify(r.sections)}, ${r.author.keyId}, ${r.author.name}, ${r.reason}, ${r.at}
    WHERE ${guard}`;
}

export type NewAuditRow = {
  at: number;
  actor: { keyId: string | null; name: string };
  action: AuditAction;
  entryId: string;
  revision: number | null;
  reason: string | null;
  detail: Record<string, unknown> | null;
};

export function appendAudit(a: NewAuditRow, guard: SQL): SQL {
  return sql`INSERT INTO audit_log (at, key_id, key_name, action, entry_id, revision, reason, detail)
    SELECT ${a.at}, ${a.actor.keyId}, ${a.actor.name}, ${a.action}, ${a.entryId}, ${a.revision}, ${a.reason}, ${a.detail === null ? null : JSON.stringify(a.detail)}
    WHERE ${guard}`;
}
