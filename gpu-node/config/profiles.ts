// Profile defaults: applied under the config file and the environment, above the schema's own defaults.
// Development favours quick feedback on a workstation; production favours a long-running shared node.
import type { NodeConfigInput } from "./schema.ts";

export type ProfileName = "development" | "production";

export const profiles: Record<ProfileName, NodeConfigInput> = {
  development: {
    logLevel: "info",
    queue: { maxWaiting: 16, maxWaitMs: 60_000 },
    generation: { requestTimeoutMs: 300_000 },
    cache: { persistent: false },
    server: { host: "127.0.0.1" },
    features: { processMetrics: false },
  },
  production: {
    logLevel: "warn",
    // Long entries are written section by section; a section on a busy node can wait and run for minutes.
    queue: { maxWaiting: 256, maxWaitMs: 300_000 },
    generation: { requestTimeoutMs: 1_800_000 },
    cache: { persistent: true },
    // Requests are signed, and the edge must reach the node.
    server: { host: "0.0.0.0" },
    features: { processMetrics: true },
  },
};

export function isProfileName(value: unknown): value is ProfileName {
  return value === "development" || value === "production";
}
