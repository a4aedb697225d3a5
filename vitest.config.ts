import { defineConfig } from "vitest/config";

// Tests load real models and start real servers: run files in separate processes, two at a time
// (the CI machine has two cores). Tests are bounded by their work (small tiers, token limits; see
// test/support/bounds.ts); the time limits only stop a hang. They are wide because CI runs on the
// developer's own busy machine: there a CLI start that needs 3 s of CPU took 41 to 63 s of wall time.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 600_000,
    hookTimeout: 600_000,
    globalSetup: ["test/support/global-setup.ts"],
  },
});
