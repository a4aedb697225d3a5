import { defineConfig } from "drizzle-kit";

// The GPU node's own local state: response cache, checkpoints, knowledge-base chunk metadata.
export default defineConfig({
  dialect: "turso",
  schema: "./gpu-node/db/schema/*.ts",
  out: "./migrations/gpu-node",
  dbCredentials: { url: "file:.opus/gpu-node.db" },
});
