// A revision of chosen sections coming back from a GPU node, checked against the request it
// answers before the edge validates and stores it: the sections nobody asked to rewrite are the
// base revision's bytes (restored if a node changed them, and said so), the entry's Markdown is
// rebuilt from its sections, and the verdict is needs_review: a reviewer decides on every revision.
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { entryMarkdown, entryWords } from "../../shared/review/sections.ts";
import type { EdgeDb } from "../db/client.ts";
import type { EntryRow } from "../entries/reads.ts";
import type { ArrivingRevision } from "../entries/store.ts";
import { findRevision, findRevisionRequest } from "./reads.ts";

type Finished = Extract<NodeEvent, { type: "finished" }>;

/** The event as it will be stored, and the revision it brings; undefined when no request awaits it. */
export async function checkArrivingRevision(db: EdgeDb, row: EntryRow, event: Finished): Promise<{ event: Finished; revision: ArrivingRevision } | undefined> {
  const number = row.revision + 1;
  const [request, base] = await Promise.all([findRevisionRequest(db, row.id, number), findRevision(db, row.id, row.revision)]);
  if (!request || !base) return undefined;
  const requested = new Set(request.sections.map((r) => r.section));
  const restored: number[] = [];
  const sections = base.sections.map((original, i) => {
    const sent = event.entry.sections[i];
    if (requested.has(i) && sent) return sent;
    if (!sent || sent.markdown !== original.markdown || sent.title !== original.title) restored.push(i);
    return original;
  });
  const sectionsChanged = sections.flatMap((s, i) => (s.markdown !== base.sections[i]!.markdown ? [i] : []));
  const markdown = entryMarkdown(base.title, sections);
  return {
    event: {
      ...event,
      status: "needs_review",
      step: "needs review",
      words: entryWords(sections),
      entry: {
        ...event.entry,
        title: base.title,
        markdown,
        sections,
        words: entryWords(sections),
        metadata: {
          ...event.entry.metadata,
          revision: { number, base: base.number, requested: [...requested].sort((a, b) => a - b), sections_changed: sectionsChanged, ...(restored.length > 0 ? { restored_sections: restored } : {}) },
        },
      },
    },
    revision: { number, base: base.number, author: { keyId: request.keyId, name: request.keyName }, reason: request.reason, sectionsChanged },
  };
}
