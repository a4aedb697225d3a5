// The node's link to its edge: registers and sends heartbeats (its capacity, its load, the entries it
// holds); in pull mode it also leases entries, so a box behind NAT needs no inbound port. Every
// request is signed with the shared node secret, like the rest of the node protocol. A static node
// (the edge calls it at OPUS_GPU_NODE_URL) runs no link: it only answers.
import { edgeRoutes, LeaseResponse, NodeHeartbeatAck, type EntryAssignment, type NodeHeartbeat, type NodeStats } from "../../shared/api/node-protocol.ts";
import { postSigned } from "../../shared/api/signing.ts";
import { entryLogFields, type Log } from "../telemetry/log.ts";
import type { EdgeLink } from "./config.ts";

/** What the link needs from the entry runner. */
export type LinkedRunner = {
  readonly capacity: number;
  readonly active: number;
  readonly entryIds: string[];
  assign(assignment: EntryAssignment): Promise<string>;
  release(id: string): boolean;
};

export type EdgeLinkOptions = EdgeLink & {
  secret: string;
  runner: LinkedRunner;
  /** Push mode: the address the node listens on, used when no public URL is configured. */
  listenUrl: string;
  model?: string;
  /** Generation requests waiting in the engine (reported as the node's queue depth). */
  queueDepth?: () => number;
  /** The node's own figures for the edge's dashboard (tokens/s, VRAM, model pool): see stats.ts. */
  stats?: () => Promise<NodeStats>;
  /** The node's logger (gpu-node/telemetry/log.ts): one line per change of the link's state, one per leased or stopped entry. */
  log?: Log;
};

export type RunningEdgeLink = {
  readonly nodeId: string;
  readonly mode: EdgeLink["mode"];
  /** Sends a heartbeat now (the loop sends one every few seconds anyway). */
  heartbeat(): Promise<void>;
  stop(): Promise<void>;
};

const requestTimeoutMs = 10_000;
const maxBackoffMs = 30_000;

export function startEdgeLink(opts: EdgeLinkOptions): RunningEdgeLink {
  const log = opts.log ?? (() => undefined);
  const url = opts.mode === "push" ? (opts.publicUrl ?? opts.listenUrl) : null;
  const stopped = new AbortController();
  let heartbeatMs = 5000;
  let lastProblem = "";

  const report = (problem: string) => {
    // One line per change of state, not one per failed attempt.
    if (problem !== lastProblem) log(problem ? "warn" : "info", problem ? `edge link: ${problem}` : "edge link: connected", { edge_url: opts.edgeUrl });
    lastProblem = problem;
  };

  async function post(path: string, body: unknown): Promise<unknown> {
    const res = await postSigned(`${opts.edgeUrl}${path}`, opts.secret, body, { signal: AbortSignal.any([stopped.signal, AbortSignal.timeout(requestTimeoutMs)]) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as unknown;
  }

  async function heartbeat(): Promise<void> {
    const body: NodeHeartbeat = {
      node_id: opts.nodeId,
      url,
      capacity: opts.runner.capacity,
      active: opts.runner.active,
      queued: Math.min(100_000, Math.max(0, Math.round(opts.queueDepth?.() ?? 0))),
      entries: opts.runner.entryIds,
      ...(opts.model ? { model: opts.model.slice(0, 300) } : {}),
      ...(opts.stats ? { stats: await opts.stats().catch(() => undefined) } : {}),
    };
    const ack = NodeHeartbeatAck.parse(await post(edgeRoutes.heartbeat, body));
    heartbeatMs = ack.heartbeat_interval_ms;
    for (const id of ack.stop) if (opts.runner.release(id)) log("info", "edge link: entry stopped (canceled or handed to another node)", { entry_id: id });
  }

  /** Pull mode: leases entries while there is room. Returns how many it took. */
  async function lease(): Promise<number> {
    const room = opts.runner.capacity - opts.runner.active;
    if (room <= 0) return 0;
    const res = LeaseResponse.parse(await post(edgeRoutes.lease, { node_id: opts.nodeId, max: Math.min(room, 64) }));
    for (const assignment of res.entries) {
      const outcome = await opts.runner.assign(assignment).catch((error: Error) => `refused: ${error.message}`);
      log("info", "edge link: entry leased", { ...entryLogFields(assignment), outcome });
    }
    return res.entries.length;
  }

  /** Waits `ms` or until the link stops; the abort listener goes as soon as the wait ends. */
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stopped.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      stopped.signal.addEventListener("abort", done, { once: true });
    });

  async function loop(name: string, step: () => Promise<number | void>, interval: () => number): Promise<void> {
    let failures = 0;
    while (!stopped.signal.aborted) {
      let again = false;
      try {
        again = ((await step()) ?? 0) > 0;
        failures = 0;
        report("");
      } catch (error) {
        if (stopped.signal.aborted) return;
        failures++;
        report(`${name} failed (${(error as Error).message}); retrying`);
      }
      // After a lease that brought work, ask again at once; after failures, back off.
      if (!again) await sleep(failures > 0 ? Math.min(maxBackoffMs, interval() * 2 ** Math.min(failures - 1, 5)) : interval());
    }
  }

  const loops: Promise<void>[] = [];
  if (opts.mode !== "static") loops.push(loop("heartbeat", heartbeat, () => heartbeatMs));
  if (opts.mode === "pull") {
    // The first lease waits for the first heartbeat, which registers the node.
    loops.push(
      sleep(0).then(async () => {
        await heartbeat().catch(() => undefined);
        await loop("lease", lease, () => opts.leasePollMs);
      }),
    );
  }
  log("info", `edge link: node ${opts.nodeId} (${opts.mode}${url ? ` at ${url}` : opts.mode === "pull" ? ", no inbound port" : ", called by the edge"}) -> ${opts.edgeUrl}`, { mode: opts.mode, edge_url: opts.edgeUrl, ...(url ? { url } : {}) });

  return {
    nodeId: opts.nodeId,
    mode: opts.mode,
    heartbeat,
    stop: async () => {
      stopped.abort();
      await Promise.allSettled(loops);
    },
  };
}
