// The edge as a GPU node sees it, for node tests that need to choose how the edge behaves: it checks
// each request's signature, records node events, answers heartbeats and leases (no entries to
// lease), and can refuse an event's first delivery (503) to make the node retry, or not know an entry.
import { createServer, type Server } from "node:http";
import { verifySignature } from "../../shared/api/signing.ts";

export type RecordedEvent = { entryId: string; query: string; type: string; seq: number; status: string; words: number; [field: string]: unknown };

export type EdgeStandIn = {
  url: string;
  events: RecordedEvent[];
  heartbeats: Record<string, unknown>[];
  /** Events of one entry, in arrival order, without repeats of a retried delivery. */
  eventsOf(entryId: string): RecordedEvent[];
  close(): Promise<void>;
};

export async function startEdgeStandIn(secret: string, opts: { failFirstDelivery?: boolean; unknownEntries?: boolean } = {}): Promise<EdgeStandIn> {
  const events: RecordedEvent[] = [];
  const heartbeats: Record<string, unknown>[] = [];
  const refusedOnce = new Set<string>();
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const answer = (status: number, json: unknown) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(json));
      const headers = new Headers(Object.entries(req.headers).map(([k, v]): [string, string] => [k, String(v)]));
      if (!verifySignature(secret, body, headers)) return answer(401, { error: { code: "bad_signature", message: "bad signature" } });
      const url = new URL(req.url ?? "/", "http://stand-in");
      const event = url.pathname.match(/^\/v1\/node\/entries\/([^/]+)\/events$/);
      if (event) {
        const parsed = JSON.parse(body) as RecordedEvent;
        const key = `${event[1]}/${parsed.seq}`;
        if (opts.failFirstDelivery && !refusedOnce.has(key)) {
          refusedOnce.add(key);
          return answer(503, { error: { code: "unavailable", message: "try again" } });
        }
        if (opts.unknownEntries) return answer(404, { error: { code: "entry_not_found", message: "no such entry" } });
        events.push({ ...parsed, entryId: decodeURIComponent(event[1]!), query: url.search });
        return answer(200, { applied: true, canceled: false });
      }
      if (url.pathname === "/v1/node/heartbeat") {
        heartbeats.push(JSON.parse(body));
        return answer(200, { heartbeat_interval_ms: 50, stop: [] });
      }
      if (url.pathname === "/v1/node/lease") return answer(200, { entries: [], lease_ttl_ms: 60_000 });
      return answer(404, { error: { code: "not_found", message: "no route" } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    url,
    events,
    heartbeats,
    eventsOf: (entryId) => {
      const seen = new Set<number>();
      return events.filter((e) => e.entryId === entryId && !seen.has(e.seq) && seen.add(e.seq));
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
