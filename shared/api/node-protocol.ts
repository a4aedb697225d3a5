// What the edge and a GPU node say to each other: the job handed to a node, and the events the node
// reports back. Both directions are signed (see shared/api/signing.ts).
import { z } from "zod";
import { EntryStatus, Tier } from "./entry.ts";

export const NodeJob = z.object({
  id: z.string().min(1).max(64),
  subject: z.string().min(1).max(200),
  tier: Tier,
  category: z.string().min(1).max(100),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  /** Where the node posts this job's events. */
  callback_url: z.url(),
});
export type NodeJob = z.infer<typeof NodeJob>;

export const EntrySection = z.object({
  title: z.string(),
  markdown: z.string(),
  words: z.number().int().min(0),
});
export type EntrySection = z.infer<typeof EntrySection>;

export const FinishedEntry = z.object({
  title: z.string(),
  markdown: z.string(),
  sections: z.array(EntrySection),
  words: z.number().int().min(0),
  /** Reproducibility record and scores: model hash, seed, config hash, prompt version... */
  metadata: z.record(z.string(), z.unknown()),
});
export type FinishedEntry = z.infer<typeof FinishedEntry>;

const progressFields = {
  /** Strictly increasing per job: the edge ignores an event whose seq it has already passed. */
  seq: z.number().int().min(1),
  status: EntryStatus,
  step: z.string().max(200).optional(),
  progress: z.number().min(0).max(1),
  words: z.number().int().min(0).default(0),
  sections_done: z.number().int().min(0).default(0),
  sections_total: z.number().int().min(0).default(0),
  tokens: z.number().int().min(0).default(0),
  eta_seconds: z.number().min(0).nullable().default(null),
};

export const NodeEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("progress"), ...progressFields }),
  z.object({ type: z.literal("finished"), ...progressFields, entry: FinishedEntry }),
  z.object({
    type: z.literal("failed"),
    ...progressFields,
    error: z.object({ code: z.string().max(100), message: z.string().max(2000) }),
  }),
  z.object({ type: z.literal("canceled"), ...progressFields }),
]);
export type NodeEvent = z.infer<typeof NodeEvent>;

/** The edge's answer to an event: `canceled` tells a node to stop work the user canceled. */
export const NodeEventAck = z.object({ applied: z.boolean(), canceled: z.boolean() });
export type NodeEventAck = z.infer<typeof NodeEventAck>;
