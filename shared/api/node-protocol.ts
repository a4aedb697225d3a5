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
  /**
   * The highest event sequence number the edge has applied for this job (another node may have run
   * it before): a node starting it fresh numbers its events above this.
   */
  seq_base: z.number().int().min(0).optional(),
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
export const NodeEventAck = z.object({
  applied: z.boolean(),
  canceled: z.boolean(),
  /** The job now belongs to another node: stop it without reporting (it stays resumable here). */
  reassigned: z.boolean().optional(),
});
export type NodeEventAck = z.infer<typeof NodeEventAck>;

// ---- Registration, heartbeats and leases (gpu-node/dispatch <-> edge/nodes), all signed ----

export const nodeIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const NodeId = z.string().regex(nodeIdPattern, "node_id must be 1 to 64 letters, digits, dots, dashes or underscores");

/** Sent every few seconds (the first one registers the node). */
export const NodeHeartbeat = z
  .object({
    node_id: NodeId,
    /** Where the edge can call this node (push mode, e.g. a Cloudflare Tunnel); null or absent: pull mode. */
    url: z.url({ protocol: /^https?$/ }).max(2048).nullable().optional(),
    /** Jobs the node runs at once. */
    capacity: z.number().int().min(1).max(1024),
    active: z.number().int().min(0).max(100_000),
    queued: z.number().int().min(0).max(100_000).default(0),
    /** Ids of the jobs running on the node now. */
    jobs: z.array(z.string().max(64)).max(1024).default([]),
    model: z.string().max(300).optional(),
  })
  .strict();
export type NodeHeartbeat = z.infer<typeof NodeHeartbeat>;

export const NodeHeartbeatAck = z.object({
  heartbeat_interval_ms: z.number().int().positive(),
  /** Jobs in `jobs` that the node should stop: canceled by the user, or handed to another node. */
  stop: z.array(z.string()),
});
export type NodeHeartbeatAck = z.infer<typeof NodeHeartbeatAck>;

/** Pull mode: a node with free capacity asks for up to `max` jobs. */
export const LeaseRequest = z.object({ node_id: NodeId, max: z.number().int().min(1).max(64) }).strict();
export type LeaseRequest = z.infer<typeof LeaseRequest>;

export const LeaseResponse = z.object({
  jobs: z.array(NodeJob),
  /** The lease lasts this long unless heartbeats or events from the node extend it. */
  lease_ttl_ms: z.number().int().positive(),
});
export type LeaseResponse = z.infer<typeof LeaseResponse>;
