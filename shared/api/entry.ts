// The public shape of an entry request and of its status, shared by the edge, the CLI and tests.
import { z } from "zod";
import { EntryStatus } from "../lifecycle/statuses.ts";
import { tiers, type Tier as TierName } from "./tier.ts";

// The statuses live with the rest of the lifecycle (shared/lifecycle); re-exported for the API's users.
export { EntryStatus, entryStatuses, isTerminal, isUnfinished, terminalStatuses, unfinishedStatuses } from "../lifecycle/statuses.ts";

export { tiers };
export const Tier = z.enum(tiers);
export type Tier = TierName;

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

/** GET /v1/entries/{id}/content: the format, when not chosen by the Accept header. */
export const ContentQuery = z.object({ format: z.enum(["markdown", "json"]).optional() }).strict();
