// The operations dashboard's figures (GET /v1/ops, admin scope; the same figures the page at
// /portal/ops draws). One zod schema: the route's response and its OpenAPI description.
import { z } from "zod";
import { NodeStats } from "./node-protocol.ts";

const seconds = z.number().min(0);
const count = z.number().int().min(0);

/** How long entries stayed in one status, over the stints that ended inside the window. */
export const StepTime = z.object({
  status: z.string(),
  stints: count,
  mean_seconds: seconds,
  p50_seconds: seconds,
  p90_seconds: seconds,
  max_seconds: seconds,
});

export const HourCounts = z.object({
  /** Start of the hour (ISO 8601, UTC). */
  hour: z.string(),
  /** Entries that entered each status in that hour (only statuses with any). */
  entered: z.record(z.string(), count),
});

/** Throughput as the edge sees it: entries the node finished in the window, their words and tokens over their writing time. */
export const NodeThroughput = z.object({
  entries: count,
  words: count,
  tokens: count,
  writing_seconds: seconds,
  words_per_second: z.number().min(0).nullable(),
  tokens_per_second: z.number().min(0).nullable(),
});

export const OpsNode = z.object({
  id: z.string(),
  mode: z.string(),
  healthy: z.boolean(),
  capacity: count,
  active: count,
  queued: count,
  /** Unfinished entries the edge has assigned to it. */
  assigned: count,
  model: z.string().nullable(),
  last_heartbeat_at: z.string().nullable(),
  /** What the node reported of itself in its last heartbeat (absent for a node without heartbeats). */
  stats: NodeStats.nullable(),
  throughput: NodeThroughput,
});

export const OpsBreaker = z.object({
  node: z.string(),
  state: z.enum(["closed", "open", "half_open"]),
  failures: count,
  opened_at: z.string().nullable(),
  last_error: z.string().nullable(),
});

export const OpsSnapshot = z.object({
  generated_at: z.string(),
  /** The window of the hourly, step-time and throughput figures. */
  window_hours: z.number().int().positive(),
  entries: z.object({
    total: count,
    by_status: z.record(z.string(), count),
    per_hour: z.array(HourCounts),
  }),
  step_times: z.array(StepTime),
  queue: z.object({
    /** Unfinished entries no node holds. */
    depth: count,
    oldest_waiting: z.object({ id: z.string(), waiting_since: z.string(), waiting_seconds: seconds }).nullable(),
  }),
  nodes: z.array(OpsNode),
  breakers: z.array(OpsBreaker),
  validation: z.object({
    /** Entries whose current text carries an edge validation report. */
    entries_checked: count,
    by_rule: z.array(z.object({ rule: z.string(), issues: count, entries: count, by_severity: z.record(z.string(), count) })),
  }),
  webhooks: z.object({
    deliveries_by_outcome: z.record(z.string(), count),
    endpoints: z.object({
      total: count,
      disabled: count,
      disabled_list: z.array(z.object({ id: z.string(), url: z.string(), reason: z.string().nullable(), disabled_at: z.string() })),
    }),
  }),
});
export type OpsSnapshot = z.infer<typeof OpsSnapshot>;
export type OpsNode = z.infer<typeof OpsNode>;
