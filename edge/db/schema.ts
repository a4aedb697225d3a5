// The edge's state. Polling reads one narrow row of `entries`; finished text lives apart in
// `entry_contents` so that status reads stay small. Only edge/entries/store.ts writes `entries`.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { EntrySection } from "../../shared/api/node-protocol.ts";
import type { Tier } from "../../shared/api/tier.ts";
import type { AuditAction, SectionRequest } from "../../shared/review/decisions.ts";
import { initialProgress, type EntryStatus, type ProgressRecord } from "../../shared/lifecycle/index.ts";

export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** The first characters of the key, shown in listings so a person can tell keys apart. */
  prefix: text("prefix").notNull(),
  /** SHA-256 of the whole key: the key itself is never stored. */
  hash: text("hash").notNull().unique(),
  scopes: text("scopes", { mode: "json" }).$type<string[]>().notNull(),
  createdAt: integer("created_at").notNull(),
  revokedAt: integer("revoked_at"),
});

/** One status an entry entered, and when: the status view's `transitions`. */
export type StatusChange = { status: EntryStatus; at: number };
export type EntryError = { code: string; message: string };

export const entries = sqliteTable(
  "entries",
  {
    id: text("id").primaryKey(),
    keyId: text("key_id")
      .notNull()
      .references(() => apiKeys.id),
    subject: text("subject").notNull(),
    tier: text("tier").$type<Tier>().notNull(),
    category: text("category").notNull(),
    seed: integer("seed"),
    webhookUrl: text("webhook_url"),
    status: text("status").$type<EntryStatus>().notNull(),
    /** The progress record as the node reported it (shared/lifecycle/progress.ts), shown as is. */
    progress: text("progress_record", { mode: "json" }).$type<ProgressRecord>().notNull().default(initialProgress("waiting for a GPU node")),
    /** Times the entry was retried after failing (POST /v1/entries/:id/retry). */
    attempt: integer("attempt").notNull().default(0),
    error: text("error", { mode: "json" }).$type<EntryError>(),
    transitions: text("transitions", { mode: "json" }).$type<StatusChange[]>().notNull(),
    /** Bumped on every change: the status ETag, so polling clients get 304 until something moves. */
    version: integer("version").notNull().default(1),
    /** Highest node event sequence applied: older or repeated events are ignored. */
    eventSeq: integer("event_seq").notNull().default(0),
    nodeUrl: text("node_url"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** The GPU node the entry is assigned to; null while it waits for one. */
    nodeId: text("node_id"),
    /** The assignment holds until then; heartbeats and events from the node extend it. */
    leaseExpiresAt: integer("lease_expires_at"),
    dispatchAttempts: integer("dispatch_attempts").notNull().default(0),
    dispatchedAt: integer("dispatched_at"),
    /** Random per change that queued webhook deliveries: they are written only if this change won. */
    changeToken: text("change_token"),
    /** The current revision (entry_revisions.number): 0 until the pipeline's text arrives, then 1, 2, ... */
    revision: integer("revision").notNull().default(0),
    /** W3C traceparent of the edge request that submitted the entry: its dispatches and the node's trace continue it. */
    traceparent: text("traceparent"),
  },
  (t) => [index("entries_key_created").on(t.keyId, t.createdAt, t.id), index("entries_status").on(t.status), index("entries_node").on(t.nodeId)],
);

export const entryContents = sqliteTable("entry_contents", {
  entryId: text("entry_id")
    .primaryKey()
    .references(() => entries.id),
  title: text("title").notNull(),
  markdown: text("markdown").notNull(),
  sections: text("sections", { mode: "json" }).$type<{ title: string; markdown: string; words: number }[]>().notNull(),
  metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  createdAt: integer("created_at").notNull(),
});

export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    keyId: text("key_id").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    requestHash: text("request_hash").notNull(),
    entryId: text("entry_id").notNull(),
    createdAt: integer("created_at").notNull().default(sql`(unixepoch() * 1000)`),
  },
  (t) => [primaryKey({ columns: [t.keyId, t.idempotencyKey] }), index("idempotency_keys_created").on(t.createdAt)],
);

// ---- Dispatch and delivery (issue 7) ----

/**
 * GPU nodes known to the edge: registered ones (heartbeats, push with a URL or pull without) and the
 * statically configured OPUS_GPU_NODE_URL (id "static"). The circuit breaker lives on the row so
 * that every Worker isolate sees the same state.
 */
export const gpuNodes = sqliteTable("gpu_nodes", {
  id: text("id").primaryKey(),
  /** Where the edge calls the node (push); null for a node that leases entries (pull). */
  url: text("url"),
  mode: text("mode").notNull(),
  capacity: integer("capacity").notNull().default(1),
  /** Entries the node holds and generation requests waiting in its engine, as it last said. */
  active: integer("active").notNull().default(0),
  queued: integer("queued").notNull().default(0),
  info: text("info", { mode: "json" }).$type<Record<string, unknown>>(),
  lastHeartbeatAt: integer("last_heartbeat_at"),
  registeredAt: integer("registered_at").notNull(),
  breakerState: text("breaker_state").notNull().default("closed"),
  breakerFailures: integer("breaker_failures").notNull().default(0),
  breakerOpenedAt: integer("breaker_opened_at"),
  lastError: text("last_error"),
});

/** Webhook endpoints of an API key; each has its own signing secret (and the previous one while rotating). */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    keyId: text("key_id")
      .notNull()
      .references(() => apiKeys.id),
    url: text("url").notNull(),
    description: text("description"),
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    secret: text("secret").notNull(),
    previousSecret: text("previous_secret"),
    previousSecretExpiresAt: integer("previous_secret_expires_at"),
    disabledAt: integer("disabled_at"),
    disabledReason: text("disabled_reason"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("webhook_endpoints_key").on(t.keyId)],
);

/** The secret that signs deliveries to an entry's own `webhook_url` (one per API key). */
export const webhookSigningSecrets = sqliteTable("webhook_signing_secrets", {
  keyId: text("key_id")
    .primaryKey()
    .references(() => apiKeys.id),
  secret: text("secret").notNull(),
  previousSecret: text("previous_secret"),
  previousSecretExpiresAt: integer("previous_secret_expires_at"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * One event to one destination. `event_id` is the `webhook-id` header: fixed when the event happens,
 * the same on every retry and replay. The payload is stored as sent, so every attempt signs the same
 * bytes.
 */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id").notNull(),
    keyId: text("key_id").notNull(),
    /** Null for an entry's own webhook_url. */
    endpointId: text("endpoint_id"),
    url: text("url").notNull(),
    entryId: text("entry_id").notNull(),
    eventType: text("event_type").notNull(),
    payload: text("payload").notNull(),
    /** pending, succeeded, failed (gave up or refused), canceled (endpoint disabled or deleted). */
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at"),
    /** Set while an attempt is in flight, so two schedulers never send the same delivery at once. */
    lockedUntil: integer("locked_until"),
    lastStatus: integer("last_status"),
    lastLatencyMs: integer("last_latency_ms"),
    lastError: text("last_error"),
    replayOf: text("replay_of"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    deliveredAt: integer("delivered_at"),
  },
  (t) => [
    index("webhook_deliveries_due").on(t.status, t.nextAttemptAt),
    index("webhook_deliveries_key").on(t.keyId, t.id),
    index("webhook_deliveries_entry").on(t.entryId, t.eventType, t.createdAt),
    // Retention finds ended deliveries by age.
    index("webhook_deliveries_updated").on(t.updatedAt),
  ],
);

/** The delivery log: every attempt with its answer and timing. */
export const webhookAttempts = sqliteTable(
  "webhook_attempts",
  {
    deliveryId: text("delivery_id").notNull(),
    attempt: integer("attempt").notNull(),
    at: integer("at").notNull(),
    statusCode: integer("status_code"),
    latencyMs: integer("latency_ms").notNull(),
    error: text("error"),
    nextAttemptAt: integer("next_attempt_at"),
  },
  (t) => [primaryKey({ columns: [t.deliveryId, t.attempt] })],
);

// ---- Review (issue 12) ----

/** How a revision came to be: the pipeline's text, a reviewer's hand edit, or a node's rewrite of chosen sections. */
export type RevisionKind = "pipeline" | "edit" | "revision";

/**
 * Every version of an entry's text, kept: revision 1 is what the pipeline wrote, each hand edit or
 * regenerated revision adds the next. Rows are never changed or removed (triggers refuse it);
 * `entry_contents` holds a copy of the current one for the content route.
 */
export const entryRevisions = sqliteTable(
  "entry_revisions",
  {
    entryId: text("entry_id")
      .notNull()
      .references(() => entries.id),
    number: integer("number").notNull(),
    kind: text("kind").$type<RevisionKind>().notNull(),
    /** The revision this one was made from; null for revision 1. */
    base: integer("base"),
    /** Who made it: the reviewer's key (null for the pipeline's text) and its name at the time. */
    keyId: text("key_id"),
    keyName: text("key_name").notNull(),
    reason: text("reason"),
    title: text("title").notNull(),
    markdown: text("markdown").notNull(),
    sections: text("sections", { mode: "json" }).$type<EntrySection[]>().notNull(),
    /** Sections whose text differs from the base revision (0-based). */
    sectionsChanged: text("sections_changed", { mode: "json" }).$type<number[]>().notNull(),
    words: integer("words").notNull(),
    /** Its own validation report and scores (edge_validation, quality_score, the node's quality...). */
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.number] })],
);

/** A reviewer's request to rewrite chosen sections: what a GPU node receives to write revision `number`. */
export const revisionRequests = sqliteTable(
  "revision_requests",
  {
    entryId: text("entry_id")
      .notNull()
      .references(() => entries.id),
    /** The revision it produces (the entry's current revision + 1 when requested). */
    number: integer("number").notNull(),
    base: integer("base").notNull(),
    sections: text("sections", { mode: "json" }).$type<SectionRequest[]>().notNull(),
    keyId: text("key_id").notNull(),
    keyName: text("key_name").notNull(),
    reason: text("reason"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.number] })],
);

/** Every review action, append-only: no route changes it and the database refuses UPDATE and DELETE (triggers). */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    /** The acting key (null for a GPU node's report) and its name at the time. */
    keyId: text("key_id"),
    keyName: text("key_name").notNull(),
    action: text("action").$type<AuditAction>().notNull(),
    entryId: text("entry_id").notNull(),
    revision: integer("revision"),
    reason: text("reason"),
    detail: text("detail", { mode: "json" }).$type<Record<string, unknown>>(),
  },
  (t) => [index("audit_log_entry").on(t.entryId, t.id)],
);
