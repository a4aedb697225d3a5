// What a reviewer may decide on a finished entry (issue 12), as the API and the portal accept it.
// Every decision names the revision it was made on: a decision on any other revision is stale.
import { z } from "zod";

/** No control characters at all (one line), or none but tabs and line breaks (multiline). */
const controlFree = /^[^\p{Cc}]*$/u;
const multilineControlFree = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$/u;
/** Free text from a reviewer: a reason, or instructions for a section (line breaks allowed). */
const note = (max: number) => z.string().trim().min(1, "must not be empty").max(max).regex(multilineControlFree, "must not contain control characters");

export const maxReasonChars = 2000;
export const maxInstructionChars = 2000;
export const maxParagraphChars = 20_000;

const revision = z.number().int().min(1).max(1_000_000);
const sectionIndex = z.number().int().min(0).max(63);

export const decisionActions = ["approve", "reject", "edit", "revise"] as const;
export type DecisionAction = (typeof decisionActions)[number];

export const ApproveDecision = z.object({ action: z.literal("approve"), revision, reason: note(maxReasonChars).optional() }).strict();
export const RejectDecision = z.object({ action: z.literal("reject"), revision, reason: note(maxReasonChars) }).strict();

/** One paragraph replaced by hand: its place (0-based section, 0-based paragraph after the heading) and new text. */
export const ParagraphEdit = z
  .object({
    section: sectionIndex,
    paragraph: z.number().int().min(0).max(999),
    /** The paragraph's text, without the house indent (added on save). Line breaks become spaces: one paragraph. */
    text: z
      .string()
      .max(maxParagraphChars)
      .transform((text) => text.replace(/\s*[\r\n]+\s*/g, " ").trim())
      .pipe(z.string().min(1, "must not be empty").regex(controlFree, "must not contain control characters")),
  })
  .strict();
export type ParagraphEdit = z.infer<typeof ParagraphEdit>;

export const EditDecision = z
  .object({
    action: z.literal("edit"),
    revision,
    reason: note(maxReasonChars).optional(),
    edits: z.array(ParagraphEdit).min(1, "edits must list at least one paragraph").max(100),
  })
  .strict();

/** One section to rewrite, with the reviewer's instructions for it. */
export const SectionRequest = z.object({ section: sectionIndex, instructions: note(maxInstructionChars) }).strict();
export type SectionRequest = z.infer<typeof SectionRequest>;

export const ReviseDecision = z
  .object({
    action: z.literal("revise"),
    revision,
    reason: note(maxReasonChars).optional(),
    sections: z.array(SectionRequest).min(1, "sections must list at least one section").max(64),
  })
  .strict();

export const Decision = z.discriminatedUnion("action", [ApproveDecision, RejectDecision, EditDecision, ReviseDecision]);
export type Decision = z.infer<typeof Decision>;

/** What the audit log records; `revised` is the node's (the revision came back), the rest a reviewer's. */
export const auditActions = [...decisionActions, "revised"] as const;
export type AuditAction = (typeof auditActions)[number];
