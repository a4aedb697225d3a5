// Hands waiting entries to GPU nodes. An entry is first claimed for one node in the store (a
// conditional UPDATE, so two dispatchers never give it to two nodes), then sent with a signed
// request; if the call fails the claim is released and the node's circuit breaker counts the
// failure. The least loaded healthy node (unfinished entries assigned / capacity) gets each entry,
// and never more than its capacity: the entries its engine writes at once, as the node reports.
import { AssignmentAck, nodeRoutes, edgeRoutes, type EntryAssignment } from "../../shared/api/node-protocol.ts";
import { postSigned } from "../../shared/api/signing.ts";
import { jsonLogLine } from "../../shared/logging/line.ts";
import type { EdgeConfig } from "../config.ts";
import type { EdgeDeps } from "../context.ts";
import type { EdgeDb } from "../db/client.ts";
import { waitingEntries, type EntryRow } from "../entries/reads.ts";
import { claimEntry, extendLeases, failEntry, releaseEntry, waitingStep } from "../entries/store.ts";
import { withRevision } from "../review/assignment.ts";
import { dispatchSpan } from "../tracing/spans.ts";
import { breakerVerdict, claimTrial, recordFailure, recordSuccess } from "./breaker.ts";
import { nodeCapacity, pushCandidates, recordReportedLoad, type Candidate } from "./registry.ts";

const callTimeoutMs = 10_000;

/** Where the node posts the entry's events; `node` names the assignee, so a superseded node is told to stop. */
export function callbackUrl(base: string, id: string, nodeId?: string): string {
  return `${base}${edgeRoutes.events(id)}${nodeId ? `?node=${encodeURIComponent(nodeId)}` : ""}`;
}

/** The assignment a node receives. `base` is the edge's configured public URL, never a request's. */
export function assignmentFor(row: EntryRow, base: string, nodeId: string): EntryAssignment {
  return {
    id: row.id,
    subject: row.subject,
    tier: row.tier,
    category: row.category,
    ...(row.seed !== null ? { seed: row.seed } : {}),
    callback_url: callbackUrl(base, row.id, nodeId),
    seq_base: row.eventSeq,
    attempt: row.attempt,
  };
}

type SendResult = { ok: true; ack: AssignmentAck } | { ok: false; reason: string };

export async function sendAssignment(config: EdgeConfig, nodeUrl: string, assignment: EntryAssignment): Promise<SendResult> {
  try {
    const res = await postSigned(`${nodeUrl}${nodeRoutes.assign}`, config.nodeSecret, assignment, { signal: AbortSignal.timeout(callTimeoutMs) });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      return { ok: false, reason: `node answered ${res.status}` };
    }
    const parsed = AssignmentAck.safeParse(await res.json().catch(() => ({})));
    return { ok: true, ack: parsed.success ? parsed.data : { id: assignment.id, outcome: "started" } };
  } catch (error) {
    return { ok: false, reason: `unreachable: ${(error as Error).name}` };
  }
}

/** Least loaded first; ties go to the node that reported fewer running entries, then the shorter queue. */
function byLoad(a: Candidate, b: Candidate): number {
  return a.assigned / a.capacity - b.assigned / b.capacity || a.active - b.active || a.queued - b.queued || a.id.localeCompare(b.id);
}

/**
 * Sends one claimed entry to its node. On failure the claim is released and the breaker counts it.
 * The node's answer carries its real capacity, recorded for the next dispatch. A node that answers
 * "already ended" for an entry the edge still considers running lost its result: the entry fails
 * visibly rather than bouncing between dispatches forever.
 */
async function deliverAssignment(deps: EdgeDeps, node: { id: string; url: string }, row: EntryRow): Promise<SendResult> {
  const { db, config } = deps;
  const span = dispatchSpan(deps.tracer, row, node.id, "push");
  const result = await sendAssignment(config, node.url, await withRevision(db, row, { ...assignmentFor(row, deps.publicUrl, node.id), traceparent: span.traceparent }));
  span.end(result.ok ? undefined : result.reason);
  if (!result.ok) {
    await recordFailure(db, node.id, result.reason, Date.now(), config);
    // The user sees a plain step; why the node failed is for the operator (this log, GET /v1/nodes).
    console.warn(jsonLogLine("opus-edge", "warn", "dispatch failed", { entry_id: row.id, trace_id: span.traceId, node_id: node.id, reason: result.reason }));
    await releaseEntry(db, row.id, node.id, waitingStep);
    return result;
  }
  await recordSuccess(db, node.id);
  await recordReportedLoad(db, node.id, result.ack);
  if (result.ack.outcome === "already ended") {
    await failEntry(
      db,
      row.id,
      { code: "node_result_lost", message: `GPU node ${node.id} had already ended this entry but its result never reached the edge` },
      { progressIntervalMs: config.webhooks.progressIntervalMs },
    );
  }
  return result;
}

/**
 * Dispatches waiting entries (oldest first, or only `entryId`) to push-mode nodes. Pull-mode nodes
 * take theirs through leases. Returns how many were handed over. An entry no node has room for
 * simply waits, however long: it is never failed for waiting.
 */
export async function dispatchPending(deps: EdgeDeps, opts: { limit?: number; entryId?: string } = {}): Promise<number> {
  const { db, config } = deps;
  const now = Date.now();
  const candidates = await pushCandidates(db, config, now);
  if (candidates.length === 0) return 0;
  const waiting = await waitingEntries(db, { limit: opts.limit ?? 20, entryId: opts.entryId });
  let handed = 0;
  let roomGrew = false;
  const excluded = new Set<string>();
  entries: for (const entry of waiting) {
    for (;;) {
      const node = await pickNode(db, config, candidates, excluded, now);
      if (!node) break entries;
      const claimed = await claimEntry(db, entry.id, node, config.nodes.staleMs);
      if (!claimed) break; // someone else dispatched it, it was canceled, or the node is full
      node.assigned++;
      const sent = await deliverAssignment(deps, { id: node.id, url: node.url! }, claimed);
      if (sent.ok) {
        // The node's own figure for what it runs at once (capped by configuration) from now on.
        const capacity = sent.ack.capacity === undefined ? node.capacity : nodeCapacity({ id: node.id, capacity: sent.ack.capacity }, config);
        roomGrew ||= capacity > node.capacity;
        node.capacity = capacity;
        handed++;
        break;
      }
      node.assigned--;
      excluded.add(node.id);
    }
  }
  // A node that turned out to have more room than the edge knew gets the entries passed over meanwhile.
  return handed + (roomGrew ? await dispatchPending(deps, opts) : 0);
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

/** Re-sends an entry to the node it is assigned to (idempotent there); used when its lease ran out. */
export async function confirmAssignment(deps: EdgeDeps, row: EntryRow): Promise<boolean> {
  if (!row.nodeId || !row.nodeUrl) return false;
  if (!(await deliverAssignment(deps, { id: row.nodeId, url: row.nodeUrl }, row)).ok) return false;
  await extendLeases(deps.db, row.nodeId, [row.id], Date.now() + deps.config.nodes.staleMs);
  return true;
}

/** Tells a push-mode node to stop a canceled entry (pull-mode nodes learn it from their heartbeat). */
export async function cancelOnNode(config: EdgeConfig, row: EntryRow): Promise<void> {
  if (!row.nodeUrl) return;
  try {
    await postSigned(`${row.nodeUrl}${nodeRoutes.cancel(row.id)}`, config.nodeSecret, { id: row.id }, { signal: AbortSignal.timeout(callTimeoutMs) });
  } catch {
    // The node also learns of the cancellation from the answer to its next event.
  }
}
