// Edge settings, read from the Worker's bindings or Node's environment (same names in both).
import { z } from "zod";
import { assertSigningSecret } from "../shared/api/signing.ts";

const flag = z.preprocess((v) => (typeof v === "boolean" ? String(v) : v), z.enum(["true", "false", "1", "0"], { message: "expected true or false" }).optional());
const positive = (name: string) => z.coerce.number({ message: `${name} must be a number` }).positive(`${name} must be above 0`).optional();
const nonNegative = (name: string) => z.coerce.number({ message: `${name} must be a number` }).min(0, `${name} must be 0 or more`).optional();

const EdgeEnv = z.object({
  OPUS_DB_URL: z.string().min(1, "OPUS_DB_URL is required (a libsql:// or https:// URL, or file: on Node)"),
  OPUS_DB_TOKEN: z.string().optional(),
  OPUS_NODE_SECRET: z.string().optional(),
  OPUS_GPU_NODE_URL: z.url({ message: "OPUS_GPU_NODE_URL must be a URL such as http://127.0.0.1:8788" }).optional(),
  OPUS_GPU_NODE_CAPACITY: z.coerce.number().int().min(1).max(10_000).optional(),
  OPUS_PUBLIC_URL: z.url({ message: "OPUS_PUBLIC_URL must be the edge's public base URL" }).optional(),
  OPUS_WEBHOOK_ALLOW_PRIVATE: flag,
  OPUS_WEBHOOK_TIMEOUT_MS: positive("OPUS_WEBHOOK_TIMEOUT_MS"),
  OPUS_WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .regex(/^\s*\d+(\.\d+)?(\s*,\s*\d+(\.\d+)?)*\s*$/, "OPUS_WEBHOOK_RETRY_SCHEDULE must be comma-separated seconds, e.g. 0,5,300,1800")
    .optional(),
  OPUS_WEBHOOK_PROGRESS_INTERVAL_S: nonNegative("OPUS_WEBHOOK_PROGRESS_INTERVAL_S"),
  OPUS_RATE_LIMIT: nonNegative("OPUS_RATE_LIMIT"),
  OPUS_NODE_HEARTBEAT_S: positive("OPUS_NODE_HEARTBEAT_S"),
  OPUS_NODE_STALE_S: positive("OPUS_NODE_STALE_S"),
  OPUS_BREAKER_FAILURES: z.coerce.number().int().min(1).max(100).optional(),
  OPUS_BREAKER_COOLDOWN_S: positive("OPUS_BREAKER_COOLDOWN_S"),
  OPUS_SCHEDULER_INTERVAL_MS: positive("OPUS_SCHEDULER_INTERVAL_MS"),
  OPUS_WEBHOOK_LOG_DAYS: positive("OPUS_WEBHOOK_LOG_DAYS"),
  OPUS_IDEMPOTENCY_HOURS: positive("OPUS_IDEMPOTENCY_HOURS"),
  OPUS_SESSION_SECRET: z.string().min(32, "OPUS_SESSION_SECRET must be at least 32 characters (e.g. the output of `openssl rand -base64 32`)").optional(),
});

/** The Standard Webhooks example schedule (seconds after the previous failure): about three days. */
export const defaultRetrySchedule = [0, 5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400];

export type EdgeConfig = {
  dbUrl: string;
  dbToken: string | undefined;
  nodeSecret: string;
  gpuNodeUrl: string | undefined;
  /**
   * At most this many entries at once for the statically configured node (OPUS_GPU_NODE_URL); unset:
   * as many as the node says it writes at once (its engine's sequences).
   */
  gpuNodeCapacity: number | undefined;
  /**
   * The edge's public base URL, for links and the callback URLs given to GPU nodes. Required on
   * Workers; the Node entry falls back to its own listen address. Never the request's origin.
   */
  publicUrl: string | undefined;
  /**
   * Signs the review portal's session cookies (edge/portal/session.ts). Unset: a key derived from
   * OPUS_NODE_SECRET, so a deployment needs no new secret; set it to rotate sessions on their own.
   */
  sessionSecret: string | undefined;
  webhooks: {
    /** Development only: deliver to loopback and private addresses. */
    allowPrivate: boolean;
    timeoutMs: number;
    /** Delay before each attempt, in seconds; its length is the number of attempts. */
    retrySchedule: number[];
    /** At most one entry.progress event per entry and destination in this many milliseconds. */
    progressIntervalMs: number;
  };
  /** Requests per minute per API key; 0 turns the limit off. */
  rateLimitPerMinute: number;
  nodes: {
    heartbeatMs: number;
    /** A node silent for this long is unhealthy, and the leases of its entries run out. */
    staleMs: number;
    breakerFailures: number;
    breakerCooldownMs: number;
  };
  /** How often the Node entry runs its scheduled work (the Worker uses its Cron Trigger). */
  schedulerIntervalMs: number;
  /** How long finished records are kept before the scheduled work removes them. */
  retention: {
    /** Ended webhook deliveries and their attempt log, counted from their last change. */
    webhookLogMs: number;
    /** Idempotency keys: a repeated request within this time replays the first answer. */
    idempotencyMs: number;
  };
};

/** The message when a runtime that cannot know its own address has no OPUS_PUBLIC_URL. */
export const publicUrlRequired =
  "OPUS_PUBLIC_URL: required here: the edge's public base URL (e.g. https://opus.example.workers.dev), used in links and in the callback URLs given to GPU nodes (never taken from a request's Host)";

/**
 * Parses and checks the edge's settings; throws one message naming each bad variable.
 * `requirePublicUrl`: the runtime has no address of its own to fall back on (Workers).
 */
export function readEdgeConfig(env: Record<string, unknown>, opts: { requirePublicUrl?: boolean } = {}): EdgeConfig {
  const parsed = EdgeEnv.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  if (opts.requirePublicUrl && (env.OPUS_PUBLIC_URL === undefined || env.OPUS_PUBLIC_URL === "")) problems.push(publicUrlRequired);
  if (!parsed.success || problems.length > 0) throw new Error(problems.join("; "));
  const e = parsed.data;
  const heartbeatMs = (e.OPUS_NODE_HEARTBEAT_S ?? 5) * 1000;
  return {
    dbUrl: e.OPUS_DB_URL,
    dbToken: e.OPUS_DB_TOKEN,
    nodeSecret: assertSigningSecret(e.OPUS_NODE_SECRET, "OPUS_NODE_SECRET"),
    gpuNodeUrl: e.OPUS_GPU_NODE_URL?.replace(/\/$/, ""),
    gpuNodeCapacity: e.OPUS_GPU_NODE_CAPACITY,
    publicUrl: e.OPUS_PUBLIC_URL?.replace(/\/$/, ""),
    sessionSecret: e.OPUS_SESSION_SECRET,
    webhooks: {
      allowPrivate: e.OPUS_WEBHOOK_ALLOW_PRIVATE === "true" || e.OPUS_WEBHOOK_ALLOW_PRIVATE === "1",
      timeoutMs: e.OPUS_WEBHOOK_TIMEOUT_MS ?? 15_000,
      retrySchedule: e.OPUS_WEBHOOK_RETRY_SCHEDULE ? e.OPUS_WEBHOOK_RETRY_SCHEDULE.split(",").map((s) => Number(s.trim())) : defaultRetrySchedule,
      progressIntervalMs: (e.OPUS_WEBHOOK_PROGRESS_INTERVAL_S ?? 10) * 1000,
    },
    rateLimitPerMinute: e.OPUS_RATE_LIMIT ?? 6000,
    nodes: {
      heartbeatMs,
      staleMs: (e.OPUS_NODE_STALE_S ?? Math.max(15, (heartbeatMs / 1000) * 3)) * 1000,
      breakerFailures: e.OPUS_BREAKER_FAILURES ?? 3,
      breakerCooldownMs: (e.OPUS_BREAKER_COOLDOWN_S ?? 30) * 1000,
    },
    schedulerIntervalMs: e.OPUS_SCHEDULER_INTERVAL_MS ?? 5000,
    retention: {
      webhookLogMs: (e.OPUS_WEBHOOK_LOG_DAYS ?? 30) * 86_400_000,
      idempotencyMs: (e.OPUS_IDEMPOTENCY_HOURS ?? 24) * 3_600_000,
    },
  };
}
