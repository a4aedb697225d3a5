// How the node reaches its edge (key `edge` of the node configuration). The edge's URL is what the
// node trusts: it accepts only entries whose callback is on it, and resumed work reports to it.
//   pull    the node registers, heartbeats and leases entries (no inbound port)
//   push    the node registers with its public URL; the edge pushes entries to it
//   static  the edge knows the node from OPUS_GPU_NODE_URL and calls it; the node only answers
import { createHash } from "node:crypto";
import os from "node:os";
import { z } from "zod";
import { nodeIdPattern } from "../../shared/api/node-protocol.ts";
import { positiveInt } from "../engine/config/schema.ts";

const httpUrl = (example: string) => z.url({ protocol: /^https?$/, error: `expected an http(s) URL such as ${example}` });

export const edgeLinkConfigSchema = z.strictObject({
  /** The edge's base URL, e.g. https://opus.example.workers.dev. Unset: the node accepts no entries. */
  url: httpUrl("https://opus.example.workers.dev").optional(),
  /** Default: push with a publicUrl, else pull. */
  mode: z.enum(["pull", "push", "static"], { error: 'expected "pull", "push" or "static"' }).optional(),
  /** The node's id at the edge; default: derived from the host name and the node database. */
  nodeId: z
    .preprocess((v) => (typeof v === "number" ? String(v) : v), z.string({ error: "expected 1 to 64 letters, digits, dots, dashes or underscores" }))
    .pipe(z.string().regex(nodeIdPattern, { error: "expected 1 to 64 letters, digits, dots, dashes or underscores" }).refine((v) => v !== "static", { error: '"static" is reserved for the edge\'s OPUS_GPU_NODE_URL' }))
    .optional(),
  /** Push mode: where the edge calls this node (e.g. a Cloudflare Tunnel); default: the address it listens on. */
  publicUrl: httpUrl("https://gpu.example.org").optional(),
  /** Pull mode: how often a node with room asks for entries. */
  leasePollMs: z.number({ error: "expected a whole number of milliseconds from 50 to 600000" }).int().min(50).max(600_000).default(2000),
  /**
   * How long an entry's events may fail to reach the edge before the entry pauses: work stops (its
   * checkpoints stay) until the edge hands it to this node again. A passing outage is bridged.
   */
  reportTimeoutMs: positiveInt.default(120_000),
});

export type EdgeLinkConfig = z.output<typeof edgeLinkConfigSchema>;

/** The link as the node runs it: the edge's URL without a trailing slash, a mode and an id. */
export type EdgeLink = {
  edgeUrl: string;
  mode: "pull" | "push" | "static";
  nodeId: string;
  /** Push mode: where the edge calls this node; undefined means "the address the node listens on". */
  publicUrl: string | undefined;
  leasePollMs: number;
  reportTimeoutMs: number;
};

/** A stable default id: the same machine and node database give the same id across restarts. */
export function defaultNodeId(database: string): string {
  return `node-${createHash("sha256").update(`${os.hostname()}\n${database}`).digest("hex").slice(0, 12)}`;
}

/** The link the configuration describes, or undefined when no edge URL is set. */
export function resolveEdgeLink(config: EdgeLinkConfig, database: string): EdgeLink | undefined {
  if (!config.url) return undefined;
  return {
    edgeUrl: config.url.replace(/\/+$/, ""),
    mode: config.mode ?? (config.publicUrl ? "push" : "pull"),
    nodeId: config.nodeId ?? defaultNodeId(database),
    publicUrl: config.publicUrl?.replace(/\/+$/, ""),
    leasePollMs: config.leasePollMs,
    reportTimeoutMs: config.reportTimeoutMs,
  };
}
