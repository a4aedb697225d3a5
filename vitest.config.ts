import { defineConfig } from "vitest/config";

// Tests load real models and start real servers: run files in separate processes, two at a time
// (the CI machine has two cores), with generous timeouts for model loads.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    globalSetup: ["test/support/global-setup.ts"],
  },
});
