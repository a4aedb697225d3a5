// 1,000 generated malformed and hostile requests (seeded, see hostile-requests.ts) against the public
// API of both edge entries: zero 5xx, every error in the one error shape with no stack trace, and
// not one change to another key's entries, content, endpoints, deliveries or idempotency keys.
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiKeys, entries, entryContents, idempotencyKeys, webhookDeliveries, webhookEndpoints, webhookSigningSecrets } from "../../edge/db/schema.ts";
import { createApiKey } from "../../edge/auth.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { client, sendNodeEvent, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { generateHostileRequests, type HostileRequest } from "./hostile-requests.ts";

const seed = 20_260_407;
const count = 1000;

const finished: NodeEvent = {
  type: "finished",
  seq: 1,
  status: "succeeded",
  step: "finished",
  progress: 1,
  words: 3,
  sections: { done: 1, total: 1 },
  tokens: 3,
  eta_seconds: 0,
  entry: { title: "Victim", markdown: "# Victim\n", sections: [{ title: "I. A", markdown: "## I. A", words: 3 }], words: 3, metadata: {} },
};

describe.each(["node", "worker"] as const)("hostile requests on %s", (name) => {
  let target: EdgeTarget;
  let victimKeyId: string;
  let victimEntries: string[] = [];

  /** Everything that belongs to the victim key, as stored. */
  async function victimRows() {
    const db = target.db;
    return {
      key: await db.select().from(apiKeys).where(eq(apiKeys.id, victimKeyId)).all(),
      entries: await db.select().from(entries).where(eq(entries.keyId, victimKeyId)).orderBy(entries.id).all(),
      contents: await db.select().from(entryContents).where(inArray(entryContents.entryId, victimEntries)).all(),
      endpoints: await db.select().from(webhookEndpoints).where(eq(webhookEndpoints.keyId, victimKeyId)).all(),
      deliveries: await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.keyId, victimKeyId)).orderBy(webhookDeliveries.id).all(),
      secrets: await db.select().from(webhookSigningSecrets).where(eq(webhookSigningSecrets.keyId, victimKeyId)).all(),
      idempotency: await db.select().from(idempotencyKeys).where(eq(idempotencyKeys.keyId, victimKeyId)).all(),
    };
  }

  beforeAll(async () => {
    target = await startEdgeTarget(name, { OPUS_NODE_SECRET: newSigningSecret(), OPUS_SCHEDULER_INTERVAL_MS: "3600000" });
    const victim = await createApiKey(target.db, "victim");
    victimKeyId = victim.id;
    const api = client(target, victim.key);
    const a = await api("POST", "/v1/entries", { subject: "Queued", tier: "S", category: "Theology" }, { "idempotency-key": "victim-1" });
    const b = await api("POST", "/v1/entries", { subject: "Done", tier: "A", category: "Theology" });
    const c = await api("POST", "/v1/entries", { subject: "Canceled", tier: "B", category: "Theology" });
    await sendNodeEvent(target, b.json.id, finished);
    await api("POST", `/v1/entries/${c.json.id}/cancel`);
    victimEntries = [a.json.id, b.json.id, c.json.id];
    // An endpoint that listens for an event none of these entries will produce again.
    const ep = await api("POST", "/v1/webhooks", { url: "https://hooks.example.com/opus", events: ["entry.failed"] });
    expect(ep.status).toBe(201);
    await api("GET", "/v1/webhooks/secret");
  });
  afterAll(async () => {
    await target?.close();
  });

  it(`answers ${count} hostile requests without a 5xx, a stack trace, or a change to another key's data`, async () => {
    const attackers = await Promise.all([1, 2, 3].map(async (i) => (await createApiKey(target.db, `attacker ${i}`, i === 3 ? ["read"] : undefined)).key));
    const endpoints = (await target.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.keyId, victimKeyId)).all()).map((e) => e.id);
    const deliveryIds = ["whd_01m8650f76ea49etygyrajc1eb"];
    const before = await victimRows();
    const requests = generateHostileRequests(seed, count, { keys: attackers, victimEntryIds: victimEntries, victimEndpointIds: endpoints, victimDeliveryIds: deliveryIds });
    const statuses = new Map<number, number>();
    const problems: string[] = [];
    const send = async (r: HostileRequest) => {
      let res: Response;
      try {
        res = await fetch(`${target.url}${r.path}`, { method: r.method, headers: r.headers, body: r.body });
      } catch (error) {
        problems.push(`${r.label} ${r.method} ${r.path.slice(0, 80)}: transport error ${(error as Error).message} ${String((error as { cause?: { code?: string; message?: string } }).cause?.code)} ${String((error as { cause?: { message?: string } }).cause?.message)} (body ${r.body?.length ?? 0} bytes)`);
        return;
      }
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const where = `${r.label} ${r.method} ${r.path.slice(0, 80)} -> ${res.status}`;
      if (res.status >= 500) problems.push(`${where}: ${text.slice(0, 200)}`);
      if (/\n\s+at\s|node_modules|\.ts:\d+/.test(text)) problems.push(`${where}: leaks a stack trace`);
      if (res.status >= 400 && r.method !== "HEAD") {
        let body: any;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        if (typeof body?.error?.code !== "string" || typeof body?.error?.message !== "string") problems.push(`${where}: not the error shape: ${text.slice(0, 120)}`);
      }
      // Another key's data never comes back (a filtered list of one's own answers 200, empty).
      if (res.status < 300 && [...victimEntries, ...endpoints].some((id) => text.includes(id))) problems.push(`${where}: reached another key's data`);
    };
    const queue = [...requests];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let r = queue.shift(); r; r = queue.shift()) await send(r);
      }),
    );
    expect(problems).toEqual([]);
    expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(count);
    // The mix really is hostile: mostly refusals of each kind.
    for (const status of [400, 401, 403, 404, 413, 422]) expect(statuses.get(status) ?? 0, `status ${status}`).toBeGreaterThan(0);
    expect(await victimRows()).toEqual(before);
  });
});
