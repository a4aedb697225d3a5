// Hands waiting jobs to GPU nodes. A job is first claimed for one node in the database (a
// conditional UPDATE, so two dispatchers never give it to two nodes), then sent with a signed
// request; if the call fails the claim is released and the node's circuit breaker counts the
// failure. The least loaded healthy node (unfinished jobs assigned / capacity) gets each job.
import { and, asc, eq, isNull, notInArray, sql } from "drizzle-orm";
import { terminalStatuses } from "../../shared/api/entry.ts";
import type { NodeJob } from "../../shared/api/node-protocol.ts";
import { postSigned } from "../../shared/api/signing.ts";
import type { EdgeConfig } from "../config.ts";
import type { EdgeDeps } from "../context.ts";
import type { EdgeDb } from "../db/client.ts";
import { entries } from "../db/schema.ts";
import type { EntryRow } from "../entries/repository.ts";
import { failEntry } from "../entries/repository.ts";
import { breakerVerdict, claimTrial, recordFailure, recordSuccess } from "./breaker.ts";
import { pushCandidates, type Candidate } from "./registry.ts";

const callTimeoutMs = 10_000;
const unfinished = notInArray(entries.status, [...terminalStatuses]);

/** Where the node posts the job's events; `node` names the assignee, so a superseded node is told to stop. */
export function callbackUrl(base: string, id: string, nodeId?: string): string {
  return `${base}/v1/node/jobs/${id}/events${nodeId ? `?node=${encodeURIComponent(nodeId)}` : ""}`;
}

export function jobFor(row: EntryRow, base: string, nodeId: string): NodeJob {
  return {
    id: row.id,
    subject: row.subject,
    tier: row.tier as NodeJob["tier"],
    category: row.category,
    ...(row.seed !== null ? { seed: row.seed } : {}),
    callback_url: callbackUrl(base, row.id, nodeId),
    seq_base: row.eventSeq,
  };
}

/** Assigns a waiting entry to `nodeId`; undefined when it is no longer waiting. */
export async function claimEntry(db: EdgeDb, config: EdgeConfig, id: string, nodeId: string, nodeUrl: string | null, now: number): Promise<EntryRow | undefined> {
  return db
    .update(entries)
    .set({
      nodeId,
      nodeUrl,
      leaseExpiresAt: now + config.nodes.staleMs,
      dispatchAttempts: sql`${entries.dispatchAttempts} + 1`,
      dispatchedAt: now,
      step: `dispatched to GPU node ${nodeId}`,
      version: sql`${entries.version} + 1`,
      updatedAt: now,
    })
    .where(and(eq(entries.id, id), isNull(entries.nodeId), unfinished))
    .returning()
    .get();
}

/** Gives the job back to the queue if it is still assigned to `nodeId`. */
export async function releaseEntry(db: EdgeDb, id: string, nodeId: string, step: string): Promise<boolean> {
  const row = await db
    .update(entries)
    .set({ nodeId: null, nodeUrl: null, leaseExpiresAt: null, step, version: sql`${entries.version} + 1`, updatedAt: Date.now() })
    .where(and(eq(entries.id, id), eq(entries.nodeId, nodeId), unfinished))
    .returning({ id: entries.id })
    .get();
  return row !== undefined;
}

type SendResult = { ok: true; outcome: string } | { ok: false; reason: string };

export async function sendJob(config: EdgeConfig, nodeUrl: string, job: NodeJob): Promise<SendResult> {
  try {
    const res = await postSigned(`${nodeUrl}/v1/jobs`, config.nodeSecret, job, { signal: AbortSignal.timeout(callTimeoutMs) });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { ok: false, reason: `node answered ${res.status}` };
    }
    const body = (await res.json().catch(() => ({}))) as { outcome?: string };
    return { ok: true, outcome: body.outcome ?? "started" };
  } catch (error) {
    return { ok: false, reason: `unreachable: ${(error as Error).name}` };
  }
}

/** Least loaded first; ties go to the node that reported fewer running jobs, then the shorter queue. */
function byLoad(a: Candidate, b: Candidate): number {
  return a.assigned / a.capacity - b.assigned / b.capacity || a.active - b.active || a.queued - b.queued || a.id.localeCompare(b.id);
}

/**
 * Sends one claimed job to its node. On failure the claim is released and the breaker counts it.
 * A node that answers "already ended" for a job the edge still considers running lost its result:
 * the entry fails visibly rather than bouncing between dispatches forever.
 */
async function deliverJob(deps: EdgeDeps, node: { id: string; url: string }, row: EntryRow, base: string): Promise<boolean> {
  const { db, config } = deps;
  const result = await sendJob(config, node.url, jobFor(row, base, node.id));
  if (!result.ok) {
    await recordFailure(db, node.id, result.reason, Date.now(), config);
    await releaseEntry(db, row.id, node.id, `waiting for a GPU node (node ${node.id}: ${result.reason})`);
    return false;
  }
  await recordSuccess(db, node.id);
  if (result.outcome === "already ended") {
    await failEntry(db, row.id, { code: "node_result_lost", message: `GPU node ${node.id} had already ended this job but its result never reached the edge` });
  }
  return true;
}

/**
 * Dispatches waiting entries (oldest first, or only `entryId`) to push-mode nodes. Pull-mode nodes
 * take theirs through leases. Returns how many were handed over.
 */
export async function dispatchPending(deps: EdgeDeps, base: string, opts: { limit?: number; entryId?: string } = {}): Promise<number> {
  const { db, config } = deps;
  const now = Date.now();
  const candidates = await pushCandidates(db, config, now);
  if (candidates.length === 0) return 0;
  const waiting = await db
    .select()
    .from(entries)
    .where(and(isNull(entries.nodeId), unfinished, opts.entryId ? eq(entries.id, opts.entryId) : undefined))
    .orderBy(asc(entries.id))
    .limit(opts.limit ?? 20)
    .all();
  let handed = 0;
  const excluded = new Set<string>();
  for (const entry of waiting) {
    for (;;) {
      const node = await pickNode(db, config, candidates, excluded, now);
      if (!node) return handed;
      const claimed = await claimEntry(db, config, entry.id, node.id, node.url, Date.now());
      if (!claimed) break; // someone else dispatched it, or it was canceled
      node.assigned++;
      if (await deliverJob(deps, { id: node.id, url: node.url! }, claimed, base)) {
        handed++;
        break;
      }
      node.assigned--;
      excluded.add(node.id);
    }
  }
  return handed;
}

async function pickNode(db: EdgeDb, config: EdgeConfig, candidates: Candidate[], excluded: Set<string>, now: number): Promise<Candidate | undefined> {
  for (const node of candidates.filter((n) => !excluded.has(n.id) && n.assigned < n.capacity).sort(byLoad)) {
    const verdict = breakerVerdict(node, now, config);
    if (verdict === "call") return node;
    if (verdict === "trial" && (await claimTrial(db, node.id, now, config))) {
      node.breakerState = "half_open";
      return node;
    }
    excluded.add(node.id);
  }
  return undefined;
}

/** Re-sends a job to the node it is assigned to (idempotent there); used when its lease ran out. */
export async function confirmAssignment(deps: EdgeDeps, row: EntryRow, base: string): Promise<boolean> {
  if (!row.nodeId || !row.nodeUrl) return false;
  if (!(await deliverJob(deps, { id: row.nodeId, url: row.nodeUrl }, row, base))) return false;
  await deps.db
    .update(entries)
    .set({ leaseExpiresAt: Date.now() + deps.config.nodes.staleMs })
    .where(and(eq(entries.id, row.id), eq(entries.nodeId, row.nodeId), unfinished));
  return true;
}

/** Tells a push-mode node to stop a canceled job (pull-mode nodes learn it from their heartbeat). */
export async function cancelOnNode(config: EdgeConfig, row: EntryRow): Promise<void> {
  if (!row.nodeUrl) return;
  try {
    await postSigned(`${row.nodeUrl}/v1/jobs/${row.id}/cancel`, config.nodeSecret, { id: row.id }, { signal: AbortSignal.timeout(callTimeoutMs) });
  } catch {
    // The node also learns of the cancellation from the answer to its next event.
  }
}
