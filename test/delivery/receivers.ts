// Test receivers: a webhook receiver whose answers a test scripts (500, a hang, 410, 429...), and
// the HTTP surface of a GPU node for dispatch-only tests (it checks the edge's signature with the
// real library and records the jobs; the fault tests use the real GPU node instead).
import { createServer, type IncomingMessage, type Server } from "node:http";
import { verifySignature } from "../../shared/api/signing.ts";

export type Received = { path: string; headers: Record<string, string>; body: string; at: number; answered?: number };
export type Answer = { status: number; headers?: Record<string, string>; delayMs?: number; body?: string };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") out[k] = v;
  return out;
}

export type Receiver = {
  url: string;
  requests: Received[];
  /** Decides the answer to the n-th request (1-based) on `path`. */
  script: (answer: (n: number, req: Received) => Answer) => void;
  on: (path: string) => Received[];
  close: () => Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const requests: Received[] = [];
  let decide: (n: number, req: Received) => Answer = () => ({ status: 200 });
  const server = createServer(async (req, res) => {
    const received: Received = { path: req.url ?? "/", headers: headersOf(req), body: await readBody(req), at: Date.now() };
    requests.push(received);
    const n = requests.filter((r) => r.path === received.path).length;
    const answer = decide(n, received);
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (res.destroyed || res.socket?.destroyed) return;
    received.answered = answer.status;
    res.writeHead(answer.status, { "content-type": "text/plain", ...answer.headers });
    res.end(answer.body ?? "ok");
  });
  const url = await listen(server);
  return {
    url,
    requests,
    script: (answer) => (decide = answer),
    on: (path) => requests.filter((r) => r.path === path),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

export type NodeSurface = {
  url: string;
  /** Assignments received (POST /v1/entries), with valid signatures only. */
  entries: Record<string, unknown>[];
  calls: number;
  badSignatures: number;
  /** The status the next calls get (202 like a healthy node, 503 like a failing one). */
  status: number;
  /** When set, the answer to an assignment reports this capacity and the assignments held, as a GPU node does. */
  capacity?: number;
  close: () => Promise<void>;
};

export async function startNodeSurface(secret: string): Promise<NodeSurface> {
  const surface = { entries: [] as Record<string, unknown>[], calls: 0, badSignatures: 0, status: 202 } as NodeSurface;
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    surface.calls++;
    const headers = new Headers(headersOf(req));
    if (!verifySignature(secret, body, headers)) {
      surface.badSignatures++;
      res.writeHead(401).end();
      return;
    }
    if (surface.status >= 400) {
      res.writeHead(surface.status, { "content-type": "application/json" }).end('{"error":{"code":"unavailable","message":"busy"}}');
      return;
    }
    if (req.url === "/v1/entries") {
      const assignment = JSON.parse(body) as Record<string, unknown>;
      surface.entries.push(assignment);
      const load = surface.capacity === undefined ? {} : { capacity: surface.capacity, active: surface.entries.length };
      res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ id: assignment.id, outcome: "started", ...load }));
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
  });
  surface.url = await listen(server);
  surface.close = () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  return surface;
}

export { waitFor } from "../support/wait.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
