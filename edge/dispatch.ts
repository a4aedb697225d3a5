// Hands jobs to the GPU node and tells it about cancellations, with signed requests.
import type { NodeJob } from "../shared/api/node-protocol.ts";
import { postSigned } from "../shared/api/signing.ts";
import type { EdgeConfig } from "./config.ts";
import type { EdgeDb } from "./db/client.ts";
import { recordDispatch, type EntryRow } from "./entries/repository.ts";

const dispatchTimeoutMs = 10_000;

export function callbackUrl(base: string, id: string): string {
  return `${base}/v1/node/jobs/${id}/events`;
}

/** Sends the job to the configured GPU node. On failure the entry stays queued, with the reason. */
export async function dispatchEntry(db: EdgeDb, config: EdgeConfig, row: EntryRow, base: string): Promise<boolean> {
  if (!config.gpuNodeUrl) {
    await recordDispatch(db, row.id, null, "waiting for a GPU node (none configured: set OPUS_GPU_NODE_URL)");
    return false;
  }
  const job: NodeJob = {
    id: row.id,
    subject: row.subject,
    tier: row.tier as NodeJob["tier"],
    category: row.category,
    ...(row.seed !== null ? { seed: row.seed } : {}),
    callback_url: callbackUrl(base, row.id),
  };
  try {
    const res = await postSigned(`${config.gpuNodeUrl}/v1/jobs`, config.nodeSecret, job, { signal: AbortSignal.timeout(dispatchTimeoutMs) });
    if (!res.ok) {
      await recordDispatch(db, row.id, null, `waiting for a GPU node (node answered ${res.status})`);
      return false;
    }
    await recordDispatch(db, row.id, config.gpuNodeUrl, "dispatched to a GPU node");
    return true;
  } catch (error) {
    await recordDispatch(db, row.id, null, `waiting for a GPU node (unreachable: ${(error as Error).name})`);
    return false;
  }
}

export async function cancelOnNode(config: EdgeConfig, row: EntryRow): Promise<void> {
  const nodeUrl = row.nodeUrl ?? config.gpuNodeUrl;
  if (!nodeUrl) return;
  try {
    await postSigned(`${nodeUrl}/v1/jobs/${row.id}/cancel`, config.nodeSecret, { id: row.id }, { signal: AbortSignal.timeout(dispatchTimeoutMs) });
  } catch {
    // The node also learns of the cancellation from the answer to its next event.
  }
}
