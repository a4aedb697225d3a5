// What a section's plan asks the knowledge base: one query text made of the entry's subject, the
// section's title and goal, and its key points.

export interface SectionPlan {
  /** The entry's subject ("Theosis"). */
  subject: string;
  /** The section's title ("The Witness of the Fathers"). */
  title: string;
  goal?: string;
  keyPoints?: readonly string[];
}

export function buildSectionQuery(plan: SectionPlan): string {
  const parts = [plan.subject, plan.title, plan.goal ?? "", ...(plan.keyPoints ?? [])].map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) throw new Error("section plan needs at least a subject or a title to retrieve passages for");
  return parts.join(". ");
}

/** The retrieved passages as a prompt block: one quoted passage per item, with its source. */
export function formatPassagesForPrompt(passages: readonly { documentTitle: string; section: string; text: string }[]): string {
  return passages
    .map((p, i) => `[${i + 1}] ${p.documentTitle}${p.section ? `, ${p.section}` : ""}:\n${p.text.replace(/\u00A0/g, "").trim()}`)
    .join("\n\n");
}
