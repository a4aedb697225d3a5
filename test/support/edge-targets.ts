// The two ways the edge runs, behind one interface, so every API test runs against both: the Node
// entry (embedded default) and the real Worker bundle under Miniflare.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createApiKey, type Scope } from "../../edge/auth.ts";
import type { EdgeDb } from "../../edge/db/client.ts";
import { startEdge } from "../../edge/node.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { postSigned } from "../../shared/api/signing.ts";
import { startTestWorker } from "./worker.ts";

export type EdgeTarget = {
  name: "node" | "worker";
  url: string;
  db: EdgeDb;
  secret: string;
  /** One round of scheduled work: the Worker's `scheduled` handler, or the Node entry's timer task. */
  runScheduled: () => Promise<void>;
  close: () => Promise<void>;
};

export async function startEdgeTarget(name: "node" | "worker", env: Record<string, string>): Promise<EdgeTarget> {
  const secret = env.OPUS_NODE_SECRET!;
  if (name === "worker") {
    const w = await startTestWorker(env);
    return { name, url: w.url, db: w.db, secret, runScheduled: w.scheduled, close: w.close };
  }
  const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), "opus-edge-")), "edge.db");
  const edge = await startEdge({ OPUS_DB_URL: `file:${dbFile}`, ...env }, { port: 0 });
  return { name, url: edge.url, db: edge.db, secret, runScheduled: async () => void (await edge.runScheduled()), close: edge.close };
}

/** A small client for tests: JSON in, status + headers + parsed body out. */
export function client(target: EdgeTarget, key?: string) {
  return async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${target.url}${route}`, {
      method,
      headers: {
        ...(key ? { authorization: `Bearer ${key}` } : {}),
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let json: any = undefined;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  };
}

export async function newKey(target: EdgeTarget, name = "test", scopes?: Scope[]): Promise<string> {
  return (await createApiKey(target.db, name, scopes)).key;
}

/** Posts a node event exactly as a GPU node does (signed with the shared secret). */
export async function sendNodeEvent(target: EdgeTarget, id: string, event: NodeEvent, secret = target.secret) {
  const res = await postSigned(`${target.url}/v1/node/entries/${id}/events`, secret, event);
  return { status: res.status, json: (await res.json()) as any };
}
