// Checkpoints of the generation pipeline: the job, its draft after every completed step, and a log
// of steps (each key written once), so a restarted node resumes instead of starting over.
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

export const pipelineJobs = sqliteTable("pipeline_jobs", {
  id: text("id").primaryKey(),
  /** The job as the edge sent it (NodeJob JSON). */
  job: text("job", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  status: text("status").notNull(),
  /** The entry as written so far (EntryDraft JSON). */
  draft: text("draft", { mode: "json" }).$type<Record<string, unknown>>(),
  /** Last event sequence number sent to the edge: a resumed job continues above it. */
  eventSeq: integer("event_seq").notNull().default(0),
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export const pipelineSteps = sqliteTable(
  "pipeline_steps",
  {
    jobId: text("job_id").notNull(),
    key: text("key").notNull(),
    /** What the step did, and for retries why. */
    kind: text("kind").notNull(),
    reason: text("reason"),
    tokens: integer("tokens").notNull().default(0),
    durationMs: integer("duration_ms").notNull().default(0),
    at: integer("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.key] })],
);
