// Follows an entry until it ends: conditional polls (ETag / 304, so an unchanged entry costs the edge
// one narrow read), riding out a restarting edge, a 5xx or a 429 (after its Retry-After) for a while.
import { isTerminal } from "../../shared/api/entry.ts";
import { ClientError, segment, type EdgeClient } from "./http.ts";
import type { EntryStatusView } from "./types.ts";

export type FollowOptions = {
  pollMs: number;
  onStatus: (status: EntryStatusView) => void;
  /** Told once per outage, with the error, while the edge cannot be read. */
  onTrouble?: (error: ClientError) => void;
  /** How long consecutive transient failures are ridden out before giving up. */
  patienceMs?: number;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function followEntry(client: EdgeClient, id: string, opts: FollowOptions): Promise<EntryStatusView> {
  const patienceMs = opts.patienceMs ?? 60_000;
  let etag = "";
  let troubleSince: number | undefined;
  for (;;) {
    let res: Response;
    try {
      res = await client.send("GET", `/v1/entries/${segment(id)}`, { headers: etag ? { "if-none-match": etag } : {} });
    } catch (error) {
      if (!(error instanceof ClientError) || !error.info.transient) throw error;
      const now = Date.now();
      if (troubleSince === undefined) {
        troubleSince = now;
        opts.onTrouble?.(error);
      } else if (now - troubleSince > patienceMs) {
        throw error;
      }
      await sleep(Math.max(opts.pollMs, (error.info.retryAfterS ?? 0) * 1000, 1000));
      continue;
    }
    troubleSince = undefined;
    if (res.status !== 304) {
      etag = res.headers.get("etag") ?? "";
      const status = (await res.json()) as EntryStatusView;
      opts.onStatus(status);
      if (isTerminal(status.status)) return status;
    } else {
      await res.body?.cancel();
    }
    await sleep(opts.pollMs);
  }
}
