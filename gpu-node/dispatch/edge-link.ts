// The node's side of dispatch: registers with the edge and sends heartbeats (capacity, load, the
// jobs it runs); in pull mode it also leases jobs from the edge, so a box behind NAT needs no inbound
// port. Every request is signed with the shared node secret, like the rest of the node protocol.
import { LeaseResponse, NodeHeartbeatAck, type NodeHeartbeat, type NodeJob } from "../../shared/api/node-protocol.ts";
import { postSigned } from "../../shared/api/signing.ts";
import type { EdgeLinkSettings } from "./settings.ts";

/** What the link needs from the job runner. */
export type LinkedRunner = {
  readonly active: number;
  readonly jobIds: string[];
  start(job: NodeJob): Promise<string>;
  release(id: string): boolean;
};

export type EdgeLinkOptions = EdgeLinkSettings & {
  secret: string;
  runner: LinkedRunner;
  /** Push mode: the address the node listens on, used when no public URL is configured. */
  listenUrl: string;
  model?: string;
  /** Generation requests waiting in the engine (reported as the node's queue depth). */
  queueDepth?: () => number;
  log?: (line: string) => void;
};

export type EdgeLink = {
  readonly nodeId: string;
  readonly mode: "push" | "pull";
  /** Sends a heartbeat now (the loop sends one every few seconds anyway). */
  heartbeat(): Promise<void>;
  stop(): Promise<void>;
};

const requestTimeoutMs = 10_000;
const maxBackoffMs = 30_000;

export function startEdgeLink(opts: EdgeLinkOptions): EdgeLink {
  const log = opts.log ?? (() => undefined);
  const url = opts.mode === "push" ? (opts.publicUrl ?? opts.listenUrl) : null;
  const stopped = new AbortController();
  let heartbeatMs = 5000;
  let lastProblem = "";

  const report = (problem: string) => {
    // One line per change of state, not one per failed attempt.
    if (problem !== lastProblem) log(problem ? `edge link: ${problem}` : "edge link: connected");
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
      capacity: opts.capacity,
      active: opts.runner.active,
      queued: Math.min(100_000, Math.max(0, Math.round(opts.queueDepth?.() ?? 0))),
      jobs: opts.runner.jobIds,
      ...(opts.model ? { model: opts.model.slice(0, 300) } : {}),
    };
    const ack = NodeHeartbeatAck.parse(await post("/v1/node/heartbeat", body));
    heartbeatMs = ack.heartbeat_interval_ms;
    for (const id of ack.stop) if (opts.runner.release(id)) log(`edge link: stopped job ${id} (canceled or handed to another node)`);
  }

  /** Pull mode: leases jobs while there is room. Returns how many it started. */
  async function lease(): Promise<number> {
    const room = opts.capacity - opts.runner.active;
    if (room <= 0) return 0;
    const res = LeaseResponse.parse(await post("/v1/node/lease", { node_id: opts.nodeId, max: Math.min(room, 64) }));
    for (const job of res.jobs) {
      const outcome = await opts.runner.start(job);
      log(`edge link: leased job ${job.id} (${outcome})`);
    }
    return res.jobs.length;
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      stopped.signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
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

  const loops = [loop("heartbeat", heartbeat, () => heartbeatMs)];
  if (opts.mode === "pull") {
    // The first lease waits for the first heartbeat, which registers the node.
    loops.push(
      sleep(0).then(async () => {
        await heartbeat().catch(() => undefined);
        await loop("lease", lease, () => opts.leasePollMs);
      }),
    );
  }
  log(`edge link: node ${opts.nodeId} (${opts.mode}${url ? ` at ${url}` : ", no inbound port"}) -> ${opts.edgeUrl}`);

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
