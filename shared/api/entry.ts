// The public shape of an entry request and of its status, shared by the edge, the CLI and tests.
import { z } from "zod";

export const tiers = ["S", "A", "B"] as const;
export const Tier = z.enum(tiers);
export type Tier = z.infer<typeof Tier>;

/** Every state an entry passes through; the last four are terminal. */
export const entryStatuses = [
  "queued",
  "blueprint",
  "sections",
  "validating",
  "correcting",
  "assembling",
  "finalizing",
  "succeeded",
  "needs_review",
  "failed",
  "canceled",
] as const;
export const EntryStatus = z.enum(entryStatuses);
export type EntryStatus = z.infer<typeof EntryStatus>;

export const terminalStatuses: readonly EntryStatus[] = ["succeeded", "needs_review", "failed", "canceled"];
export const isTerminal = (status: EntryStatus): boolean => terminalStatuses.includes(status);

const printable = /^[^\p{Cc}]*$/u;

export const CreateEntryRequest = z
  .object({
    subject: z.string().trim().min(1, "subject must not be empty").max(200).regex(printable, "subject must not contain control characters"),
    tier: Tier,
    category: z.string().trim().min(1, "category must not be empty").max(100).regex(printable, "category must not contain control characters"),
    webhook_url: z
      .url({ protocol: /^https?$/, message: "webhook_url must be an http(s) URL" })
      .max(2048)
      .optional(),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  })
  .strict();
export type CreateEntryRequest = z.infer<typeof CreateEntryRequest>;

export const ListEntriesQuery = z
  .object({
    status: EntryStatus.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(200).optional(),
  })
  .strict();
