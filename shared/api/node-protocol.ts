// What the edge and a GPU node say to each other: the entry handed to a node (an assignment), the
// events the node reports back, heartbeats and leases. Both directions are signed (see
// shared/api/signing.ts). The vocabulary is the lifecycle's (shared/lifecycle): an entry is an
// entry on both sides, and every event carries the status and the progress record as they are.
import { z } from "zod";
import { FinishedStatus, ProgressRecord, ReportedStatus } from "../lifecycle/index.ts";
import { RevisionAssignment } from "../review/assignment.ts";
import { tiers } from "./tier.ts";
import { traceparentPattern } from "../tracing/traceparent.ts";

/** Where each side serves the other. The node serves `assign` and `cancel`; the edge the rest. */
export const nodeRoutes = {
  assign: "/v1/entries",
  cancel: (entryId: string) => `/v1/entries/${encodeURIComponent(entryId)}/cancel`,
} as const;
export const edgeRoutes = {
  /** Where a node posts an entry's events; the edge adds `?node=<assignee>` to the callback URL. */
  events: (entryId: string) => `/v1/node/entries/${encodeURIComponent(entryId)}/events`,
  register: "/v1/node/register",
  heartbeat: "/v1/node/heartbeat",
  lease: "/v1/node/lease",
} as const;

/** How the pipeline prompts a model: through its chat template, or as one document to continue. */
export const promptStyles = ["chat", "completion"] as const;
export type PromptStyle = (typeof promptStyles)[number];

/** An entry handed to a node to write (pushed to it, or leased by it). */
export const EntryAssignment = z.object({
  id: z.string().min(1).max(64),
  subject: z.string().min(1).max(200),
  tier: z.enum(tiers),
  category: z.string().min(1).max(100),
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional(),
  /** Where the node posts this entry's events: always the edge's configured URL, never a request's. */
  callback_url: z.url(),
  /**
   * The highest event sequence number the edge has applied for this entry (another node may have run
   * it before): a node starting it numbers its events above this.
   */
  seq_base: z.number().int().min(0).optional(),
  /**
   * How many times the entry was retried after failing (POST /v1/entries/:id/retry). A node that
   * holds the entry as failed in an earlier attempt resumes it from its checkpoints.
   */
  attempt: z.number().int().min(0).default(0),
  /** Present when the entry is `revising`: rewrite the chosen sections of this revision (shared/review/assignment.ts). */
  revision: RevisionAssignment.optional(),
  /** W3C traceparent of the edge's dispatch span: the node's entry span is its child (shared/tracing). */
  traceparent: z.string().regex(traceparentPattern).optional(),
});
export type EntryAssignment = z.infer<typeof EntryAssignment>;

/** "queued": accepted over the node's capacity; it waits on the node for a free sequence, however long. */
export const assignmentOutcomes = ["started", "resumed", "queued", "already running", "already ended"] as const;
export type AssignmentOutcome = (typeof assignmentOutcomes)[number];

/**
 * The node's answer to an assignment. `capacity` and `active` are its load now, so that the edge
 * dispatches by what the node really runs even for a node that sends no heartbeats (OPUS_GPU_NODE_URL).
 */
export const AssignmentAck = z.object({
  id: z.string(),
  outcome: z.enum(assignmentOutcomes),
  /** Entries the node writes at once: its engine's sequences. */
  capacity: z.number().int().min(1).max(1024).optional(),
  /** Entries it holds now (writing, or waiting for a free sequence). */
  active: z.number().int().min(0).max(100_000).optional(),
});
export type AssignmentAck = z.infer<typeof AssignmentAck>;

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

/** Strictly increasing per entry: the edge ignores an event whose seq it has already passed. */
const seq = z.number().int().min(1);
const record = ProgressRecord.shape;

/** Each event says the status it leaves the entry in, and carries the whole progress record. */
export const NodeEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("progress"), seq, status: ReportedStatus, ...record }),
  z.object({ type: z.literal("finished"), seq, status: FinishedStatus, ...record, entry: FinishedEntry }),
  z.object({
    type: z.literal("failed"),
    seq,
    status: z.literal("failed"),
    ...record,
    error: z.object({ code: z.string().max(100), message: z.string().max(2000) }),
  }),
  z.object({ type: z.literal("canceled"), seq, status: z.literal("canceled"), ...record }),
]);
export type NodeEvent = z.infer<typeof NodeEvent>;

/** The edge's answer to an event: `canceled` tells a node to stop work the user canceled. */
export const NodeEventAck = z.object({
  applied: z.boolean(),
  canceled: z.boolean(),
  /** The entry now belongs to another node: stop it without reporting (it stays resumable here). */
  reassigned: z.boolean().optional(),
});
export type NodeEventAck = z.infer<typeof NodeEventAck>;

// ---- Registration, heartbeats and leases (gpu-node's edge link <-> edge/nodes), all signed ----

export const nodeIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const NodeId = z.string().regex(nodeIdPattern, "node_id must be 1 to 64 letters, digits, dots, dashes or underscores");

/**
 * What a node knows only by itself, sent in its heartbeats for the edge's operations dashboard (so
 * it works in pull mode too, with no inbound port on the GPU box). Every field is optional: a node
 * reports what its engine measures.
 */
export const NodeStats = z.object({
  /** Decoding speed over the last heartbeat interval (tokens generated / seconds), null when idle. */
  tokens_per_second: z.number().min(0).max(1e7).nullable().optional(),
  /** Tokens the engine generated since it started. */
  tokens_generated: z.number().int().min(0).optional(),
  /** GPU memory: the device's total, and what the loaded models and their contexts take. */
  vram: z.object({ total_bytes: z.number().int().min(0), used_bytes: z.number().int().min(0) }).nullable().optional(),
  /** The memory budget for loaded models (VRAM, or RAM on a CPU build). */
  memory_budget_bytes: z.number().int().min(0).optional(),
  /** The node's model pool. */
  models: z
    .array(
      z.object({
        id: z.string().max(300),
        state: z.string().max(20),
        active: z.number().int().min(0),
        queued: z.number().int().min(0),
        loads: z.number().int().min(0),
        evictions: z.number().int().min(0),
      }),
    )
    .max(64)
    .optional(),
});
export type NodeStats = z.infer<typeof NodeStats>;

/** Sent every few seconds (the first one registers the node). */
export const NodeHeartbeat = z
  .object({
    node_id: NodeId,
    /** Where the edge can call this node (push mode, e.g. a Cloudflare Tunnel); null or absent: pull mode. */
    url: z.url({ protocol: /^https?$/ }).max(2048).nullable().optional(),
    /** Entries the node writes at once: its engine's sequences. The edge assigns it no more. */
    capacity: z.number().int().min(1).max(1024),
    /** Entries the node holds now (writing, or waiting for a free sequence). */
    active: z.number().int().min(0).max(100_000),
    /** Generation requests waiting in the node's engine. */
    queued: z.number().int().min(0).max(100_000).default(0),
    /** Ids of the entries the node holds now. */
    entries: z.array(z.string().max(64)).max(1024).default([]),
    model: z.string().max(300).optional(),
    stats: NodeStats.optional(),
  })
  .strict();
export type NodeHeartbeat = z.infer<typeof NodeHeartbeat>;

export const NodeHeartbeatAck = z.object({
  heartbeat_interval_ms: z.number().int().positive(),
  /** Entries in `entries` that the node should stop: canceled by the user, or handed to another node. */
  stop: z.array(z.string()),
});
export type NodeHeartbeatAck = z.infer<typeof NodeHeartbeatAck>;

/** Pull mode: a node with free capacity asks for up to `max` entries. */
export const LeaseRequest = z.object({ node_id: NodeId, max: z.number().int().min(1).max(64) }).strict();
export type LeaseRequest = z.infer<typeof LeaseRequest>;

export const LeaseResponse = z.object({
  entries: z.array(EntryAssignment),
  /** The lease lasts this long unless heartbeats or events from the node extend it. */
  lease_ttl_ms: z.number().int().positive(),
});
export type LeaseResponse = z.infer<typeof LeaseResponse>;
