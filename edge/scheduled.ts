// The edge's scheduled work, run by the Worker's Cron Trigger and by a timer in the Node entry:
// release entries whose node went silent, dispatch waiting entries, send due webhook deliveries, and
// remove records past their retention. Callback URLs come from the deps' configured public URL.
import type { EdgeDeps } from "./context.ts";
import { dispatchPending } from "./nodes/dispatch.ts";
import { sweepExpiredLeases } from "./nodes/sweeper.ts";
import { pruneExpired, type PruneSummary } from "./retention.ts";
import { deliverDue } from "./webhooks/deliver.ts";

export type ScheduledSummary = { released: number; confirmed: number; dispatched: number; deliveries: number; pruned: PruneSummary };

/** One round of scheduled work. */
export async function runScheduledWork(deps: EdgeDeps, limits: { deliveries?: number; dispatches?: number } = {}): Promise<ScheduledSummary> {
  const sweep = await sweepExpiredLeases(deps);
  const dispatched = await dispatchPending(deps, { limit: limits.dispatches ?? 20 });
  const deliveries = await deliverDue(deps.db, deps.config, { limit: limits.deliveries ?? 25 });
  const pruned = await pruneExpired(deps.db, deps.config.retention);
  return { released: sweep.released.length, confirmed: sweep.confirmed.length, dispatched, deliveries, pruned };
}
