// Edge settings, read from the Worker's bindings or Node's environment (same names in both).
import { z } from "zod";
import { assertSigningSecret } from "../shared/api/signing.ts";

const EdgeEnv = z.object({
  OPUS_DB_URL: z.string().min(1, "OPUS_DB_URL is required (a libsql:// or https:// URL, or file: on Node)"),
  OPUS_DB_TOKEN: z.string().optional(),
  OPUS_NODE_SECRET: z.string().optional(),
  OPUS_GPU_NODE_URL: z.url({ message: "OPUS_GPU_NODE_URL must be a URL such as http://127.0.0.1:8788" }).optional(),
  OPUS_PUBLIC_URL: z.url({ message: "OPUS_PUBLIC_URL must be the edge's public base URL" }).optional(),
});

export type EdgeConfig = {
  dbUrl: string;
  dbToken: string | undefined;
  nodeSecret: string;
  gpuNodeUrl: string | undefined;
  /** Base URL GPU nodes use to reach this edge; when unset, the URL of the incoming request. */
  publicUrl: string | undefined;
};

/** Parses and checks the edge's settings; throws one message naming each bad variable. */
export function readEdgeConfig(env: Record<string, unknown>): EdgeConfig {
  const parsed = EdgeEnv.safeParse(env);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  }
  const e = parsed.data;
  return {
    dbUrl: e.OPUS_DB_URL,
    dbToken: e.OPUS_DB_TOKEN,
    nodeSecret: assertSigningSecret(e.OPUS_NODE_SECRET, "OPUS_NODE_SECRET"),
    gpuNodeUrl: e.OPUS_GPU_NODE_URL?.replace(/\/$/, ""),
    publicUrl: e.OPUS_PUBLIC_URL?.replace(/\/$/, ""),
  };
}
