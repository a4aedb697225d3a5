// The query strings of the review API's reads (edge/routes/review.ts); the decisions themselves are
// in shared/review/decisions.ts, which the portal shares.
import { z } from "zod";

const entryIdPattern = /^ent_[0-9a-z]{26}$/;

export const revisionNumber = z.coerce.number().int().min(1).max(1_000_000);
export const RevisionQuery = z.object({ format: z.enum(["markdown", "json"]).optional() }).strict();
export const DiffQuery = z.object({ from: revisionNumber.optional(), to: revisionNumber.optional() }).strict();
export const AuditQuery = z
  .object({
    entry_id: z.string().regex(entryIdPattern, "entry_id must be an entry id").optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z.string().max(20).optional(),
  })
  .strict();
