// A circuit breaker per GPU node, kept on its database row so every Worker isolate shares it.
// closed: calls go through; after `breakerFailures` failures in a row it opens: no calls until the
// cool-down has passed; then one trial call (half-open) decides between closed and open again.
import { and, eq, inArray, lte, ne, or, sql } from "drizzle-orm";
import type { EdgeConfig } from "../config.ts";
import type { EdgeDb } from "../db/client.ts";
import { gpuNodes } from "../db/schema.ts";

export type NodeRow = typeof gpuNodes.$inferSelect;

/** "call": go ahead; "trial": allowed only as the single half-open trial; "skip": breaker open. */
export function breakerVerdict(node: Pick<NodeRow, "breakerState" | "breakerOpenedAt">, now: number, config: EdgeConfig): "call" | "trial" | "skip" {
  if (node.breakerState === "closed") return "call";
  return now - (node.breakerOpenedAt ?? 0) >= config.nodes.breakerCooldownMs ? "trial" : "skip";
}

/** Takes the half-open trial; false when another caller took it first. */
export async function claimTrial(db: EdgeDb, id: string, now: number, config: EdgeConfig): Promise<boolean> {
  const row = await db
    .update(gpuNodes)
    .set({ breakerState: "half_open", breakerOpenedAt: now })
    .where(and(eq(gpuNodes.id, id), inArray(gpuNodes.breakerState, ["open", "half_open"]), lte(gpuNodes.breakerOpenedAt, now - config.nodes.breakerCooldownMs)))
    .returning({ id: gpuNodes.id })
    .get();
  return row !== undefined;
}

export async function recordSuccess(db: EdgeDb, id: string): Promise<void> {
  // Written only when something changes: the usual success costs no write.
  await db
    .update(gpuNodes)
    .set({ breakerState: "closed", breakerFailures: 0, breakerOpenedAt: null, lastError: null })
    .where(and(eq(gpuNodes.id, id), or(ne(gpuNodes.breakerState, "closed"), ne(gpuNodes.breakerFailures, 0))));
}

/** Counts a failed call; opens the breaker at the threshold, or at once after a failed trial. */
export async function recordFailure(db: EdgeDb, id: string, reason: string, now: number, config: EdgeConfig): Promise<void> {
  const opens = sql`(${gpuNodes.breakerState} = 'half_open' OR ${gpuNodes.breakerFailures} + 1 >= ${config.nodes.breakerFailures})`;
  await db
    .update(gpuNodes)
    .set({
      breakerFailures: sql`${gpuNodes.breakerFailures} + 1`,
      lastError: reason.slice(0, 300),
      breakerState: sql`CASE WHEN ${opens} THEN 'open' ELSE ${gpuNodes.breakerState} END`,
      breakerOpenedAt: sql`CASE WHEN ${opens} THEN ${now} ELSE ${gpuNodes.breakerOpenedAt} END`,
    })
    .where(eq(gpuNodes.id, id));
}
