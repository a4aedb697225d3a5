// How a GPU node links to the edge, from OPUS_* variables. Without OPUS_EDGE_URL there is no link:
// the node only answers the edge's calls (the statically configured OPUS_GPU_NODE_URL setup).
import { createHash } from "node:crypto";
import os from "node:os";
import { z } from "zod";
import { nodeIdPattern } from "../../shared/api/node-protocol.ts";

const Env = z.object({
  OPUS_EDGE_URL: z.url({ message: "OPUS_EDGE_URL must be the edge's URL, e.g. https://opus.example.workers.dev" }).optional(),
  OPUS_NODE_ID: z.string().regex(nodeIdPattern, "OPUS_NODE_ID must be 1 to 64 letters, digits, dots, dashes or underscores").refine((v) => v !== "static", "OPUS_NODE_ID \"static\" is reserved").optional(),
  OPUS_NODE_MODE: z.enum(["push", "pull"], { message: "OPUS_NODE_MODE must be push or pull" }).optional(),
  OPUS_NODE_PUBLIC_URL: z.url({ message: "OPUS_NODE_PUBLIC_URL must be the URL the edge can call this node on (e.g. a Cloudflare Tunnel)" }).optional(),
  OPUS_NODE_CAPACITY: z.coerce.number().int().min(1).max(1024).optional(),
  OPUS_LEASE_POLL_MS: z.coerce.number().int().min(50).max(600_000).optional(),
});

export type EdgeLinkSettings = {
  edgeUrl: string;
  nodeId: string;
  mode: "push" | "pull";
  /** Push mode: where the edge calls this node; undefined means "the address the node listens on". */
  publicUrl: string | undefined;
  capacity: number;
  leasePollMs: number;
};

/** A stable default id: the same machine and node database give the same id across restarts. */
export function defaultNodeId(database: string): string {
  return `node-${createHash("sha256").update(`${os.hostname()}\n${database}`).digest("hex").slice(0, 12)}`;
}

/** The link settings, or undefined when OPUS_EDGE_URL is unset. Throws one message naming each bad variable. */
export function readEdgeLinkSettings(env: Record<string, string | undefined>, database: string): EdgeLinkSettings | undefined {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      parsed.error.issues
        .map((i) => {
          const name = i.path.join(".");
          return i.message.includes(name) ? i.message : `${name}: ${i.message}`;
        })
        .join("; "),
    );
  }
  const e = parsed.data;
  if (!e.OPUS_EDGE_URL) return undefined;
  const mode = e.OPUS_NODE_MODE ?? (e.OPUS_NODE_PUBLIC_URL ? "push" : "pull");
  return {
    edgeUrl: e.OPUS_EDGE_URL.replace(/\/$/, ""),
    nodeId: e.OPUS_NODE_ID ?? defaultNodeId(database),
    mode,
    publicUrl: e.OPUS_NODE_PUBLIC_URL?.replace(/\/$/, ""),
    capacity: e.OPUS_NODE_CAPACITY ?? 2,
    leasePollMs: e.OPUS_LEASE_POLL_MS ?? 2000,
  };
}
