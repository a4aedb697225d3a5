// The edge's scheduled work, run by the Worker's Cron Trigger and by a timer in the Node entry:
// release jobs whose node went silent, dispatch waiting jobs, send due webhook deliveries, and
// remove records past their retention.
import type { EdgeDeps } from "./context.ts";
import { dispatchPending } from "./nodes/dispatch.ts";
import { sweepExpiredLeases } from "./nodes/sweeper.ts";
import { pruneExpired, type PruneSummary } from "./retention.ts";
import { deliverDue } from "./webhooks/deliver.ts";

export type ScheduledSummary = { released: number; confirmed: number; dispatched: number; deliveries: number; pruned: PruneSummary };

// Per isolate: the last origin requests came in on, for callback URLs when OPUS_PUBLIC_URL is unset.
let lastOrigin: string | undefined;
export function rememberOrigin(origin: string): void {
  lastOrigin = origin;
}

/**
 * One round of scheduled work. `base` is the edge's URL for the callback URLs given to nodes
 * (OPUS_PUBLIC_URL, else the Node entry's own address or the last request's origin); without one,
 * dispatching waits for the next request.
 */
export async function runScheduledWork(deps: EdgeDeps, base: string | undefined, limits: { deliveries?: number; dispatches?: number } = {}): Promise<ScheduledSummary> {
  const url = deps.config.publicUrl ?? base ?? lastOrigin;
  const sweep = await sweepExpiredLeases(deps, url);
  const dispatched = url ? await dispatchPending(deps, url, { limit: limits.dispatches ?? 20 }) : 0;
  const deliveries = await deliverDue(deps.db, deps.config, { limit: limits.deliveries ?? 25 });
  const pruned = await pruneExpired(deps.db, deps.config.retention);
  return { released: sweep.released.length, confirmed: sweep.confirmed.length, dispatched, deliveries, pruned };
}
