// Everything the entry page shows, read and computed: the entry row, the revision (through the
// review store), its parsed text and report, the blueprint, and the citations.
import { isFinished } from "../../shared/lifecycle/index.ts";
import type { EdgeDb } from "../db/client.ts";
import { findEntry } from "../entries/reads.ts";
import { getRevision } from "../review/store.ts";
import { citationsOf } from "./citations.ts";
import type { PlanSection } from "./components/entry-text.tsx";
import type { EntryPageProps } from "./pages/entry.tsx";
import { shownReport } from "./report.ts";

export type EntryData = Omit<EntryPageProps, "assets" | "viewer" | "done">;

const planOf = (metadata: Record<string, unknown>): PlanSection[] =>
  Array.isArray(metadata.plan) ? (metadata.plan as unknown[]).filter((p): p is PlanSection => typeof p === "object" && p !== null && typeof (p as PlanSection).title === "string") : [];

/**
 * The node's issue offsets describe the node's own text: the pipeline's revision, or a node's
 * revision whose sections all came back as sent (none restored by the edge). A hand edit moved them.
 */
function nodeOffsetsApply(kind: string, metadata: Record<string, unknown>): boolean {
  if (kind === "pipeline") return true;
  const revision = metadata.revision as { restored_sections?: unknown } | undefined;
  return kind === "revision" && !revision?.restored_sections;
}

export async function entryPageProps(db: EdgeDb, id: string, keyId: string, number: number | "current"): Promise<EntryData | "not_found" | "no_text"> {
  const entry = await findEntry(db, id, keyId);
  if (!entry) return "not_found";
  if (entry.revision === 0) return "no_text";
  const revision = await getRevision(db, id, keyId, number);
  if (!revision) return "not_found";
  const { doc, report } = await shownReport({
    key: `${id}:${revision.number}`,
    markdown: revision.markdown,
    tier: entry.tier,
    metadata: revision.metadata,
    handEdited: !nodeOffsetsApply(revision.kind, revision.metadata),
  });
  return {
    entry: { id, subject: entry.subject, tier: entry.tier, category: entry.category, status: entry.status, revision: entry.revision },
    revision: {
      number: revision.number,
      kind: revision.kind,
      author: revision.author.name,
      createdAt: revision.createdAt,
      reason: revision.reason,
      words: revision.words,
      qualityScore: revision.qualityScore,
      sectionWords: revision.sections.map((s) => s.words),
    },
    doc,
    report,
    plan: planOf(revision.metadata),
    citations: citationsOf(doc, report.issues),
    decidable: revision.number === entry.revision && isFinished(entry.status),
  };
}
