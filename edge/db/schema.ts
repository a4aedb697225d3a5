// The edge's job state. Polling reads one narrow row of `entries`; finished text lives apart in
// `entry_contents` so that status reads stay small.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

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

export type Transition = { status: string; at: number };
export type EntryError = { code: string; message: string };

export const entries = sqliteTable(
  "entries",
  {
    id: text("id").primaryKey(),
    keyId: text("key_id")
      .notNull()
      .references(() => apiKeys.id),
    subject: text("subject").notNull(),
    tier: text("tier").notNull(),
    category: text("category").notNull(),
    seed: integer("seed"),
    webhookUrl: text("webhook_url"),
    status: text("status").notNull(),
    step: text("step"),
    progress: real("progress").notNull().default(0),
    words: integer("words").notNull().default(0),
    sectionsDone: integer("sections_done").notNull().default(0),
    sectionsTotal: integer("sections_total").notNull().default(0),
    tokens: integer("tokens").notNull().default(0),
    etaSeconds: real("eta_seconds"),
    error: text("error", { mode: "json" }).$type<EntryError>(),
    transitions: text("transitions", { mode: "json" }).$type<Transition[]>().notNull(),
    /** Bumped on every change: the status ETag, so polling clients get 304 until something moves. */
    version: integer("version").notNull().default(1),
    /** Highest node event sequence applied: older or repeated events are ignored. */
    eventSeq: integer("event_seq").notNull().default(0),
    nodeUrl: text("node_url"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("entries_key_created").on(t.keyId, t.createdAt, t.id), index("entries_status").on(t.status)],
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
  (t) => [primaryKey({ columns: [t.keyId, t.idempotencyKey] })],
);
