import { defineConfig } from "drizzle-kit";

// The edge's job state (Turso in production, a local libSQL file for the embedded default).
export default defineConfig({
  dialect: "turso",
  schema: "./edge/db/schema.ts",
  out: "./migrations/edge",
  dbCredentials: { url: process.env.OPUS_DB_URL ?? "file:.opus/edge.db", authToken: process.env.OPUS_DB_TOKEN },
});
