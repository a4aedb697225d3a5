// The entries this node writes, with their checkpoints: the assignment as the edge sent it, the draft
// after every completed step, and a log of steps (each key written once), so a restarted node
// resumes instead of starting over.
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const nodeEntries = sqliteTable("entries", {
  id: text("id").primaryKey(),
  /** The entry as the edge assigned it (EntryAssignment JSON): what to write and where to report. */
  assignment: text("assignment", { mode: "json" }).$type<unknown>().notNull(),
  /** Its lifecycle status on this node (shared/lifecycle). */
  status: text("status").notNull(),
  /** The entry as written so far (EntryDraft JSON, gpu-node/pipeline/draft.ts). */
  draft: text("draft", { mode: "json" }).$type<unknown>(),
  /** Last event sequence number sent to the edge: a resumed entry continues above it. */
  eventSeq: integer("event_seq").notNull().default(0),
  /**
   * Why the node holds this unfinished entry without writing it (its edge could not be reached, or
   * does not know it); null while it may run. Cleared when the edge assigns the entry again.
   */
  parked: text("parked"),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const entrySteps = sqliteTable(
  "entry_steps",
  {
    entryId: text("entry_id").notNull(),
    key: text("key").notNull(),
    /** What the step did, and for retries why. */
    kind: text("kind").notNull(),
    reason: text("reason"),
    tokens: integer("tokens").notNull().default(0),
    durationMs: integer("duration_ms").notNull().default(0),
    at: integer("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.entryId, t.key] })],
);
