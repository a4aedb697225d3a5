// Access control on both edge entries: scopes on every route, hashed keys, per-key rate limits (429 +
// Retry-After), body limits (413), and the SSRF guard on webhook URLs, at registration and again at
// delivery time.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../edge/auth.ts";
import { apiKeys, webhookDeliveries, webhookEndpoints } from "../../edge/db/schema.ts";
import { createEntry } from "../../edge/entries/store.ts";
import { newEntryId, sha256Hex } from "../../edge/ids.ts";
import { webhookUrlProblem } from "../../edge/webhooks/ssrf.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { client, newKey, sendNodeEvent, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { startReceiver, waitFor, type Receiver } from "../delivery/receivers.ts";

const entry = { subject: "Theosis", tier: "B", category: "Theology" };
const failed = { type: "failed", seq: 1, status: "failed", progress: 0, error: { code: "x", message: "y" } } as NodeEvent;

const privateUrls = [
  "http://127.0.0.1:9/hook",
  "http://localhost/hook",
  "http://2130706433/hook",
  "http://[::1]/hook",
  "http://[::ffff:10.0.0.1]/hook",
  "http://169.254.169.254/latest/meta-data/",
  "http://metadata.google.internal/computeMetadata/v1/",
  "http://10.1.2.3/hook",
  "http://172.16.0.1/hook",
  "http://192.168.0.10/hook",
  "http://100.64.0.1/hook",
  "http://[fd12::1]/hook",
  "http://[fe80::1]/hook",
  "http://db.internal/hook",
  "http://printer.local/hook",
  "http://intranet/hook",
  "http://10.0.0.7.nip.io/hook",
  "http://0.0.0.0/hook",
];

describe("the SSRF guard", () => {
  it("refuses loopback, private, link-local, metadata and internal names, and allows public hosts", () => {
    for (const url of privateUrls) expect(webhookUrlProblem(url, false), url).toBeDefined();
    for (const url of ["https://hooks.example.com/opus", "https://8.8.8.8/x", "http://[2606:4700:4700::1111]/x", "https://a.b.example.org:8443/p?q=1"]) {
      expect(webhookUrlProblem(url, false), url).toBeUndefined();
    }
    expect(webhookUrlProblem("http://127.0.0.1:9/hook", true)).toBeUndefined();
    expect(webhookUrlProblem("file:///etc/passwd", true)).toBeDefined();
    expect(webhookUrlProblem("https://user:pw@hooks.example.com/", true)).toBeDefined();
  });
});

describe.each(["node", "worker"] as const)("access control on %s", (name) => {
  let target: EdgeTarget;
  let limited: EdgeTarget;
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
    const secret = newSigningSecret();
    target = await startEdgeTarget(name, { OPUS_NODE_SECRET: secret, OPUS_SCHEDULER_INTERVAL_MS: "3600000" });
    limited = await startEdgeTarget(name, { OPUS_NODE_SECRET: secret, OPUS_SCHEDULER_INTERVAL_MS: "3600000", OPUS_RATE_LIMIT: "5" });
  });
  afterAll(async () => {
    await target?.close();
    await limited?.close();
    await receiver?.close();
  });

  it("enforces scopes on every route", async () => {
    const routes = (id: string) =>
      [
        ["POST", "/v1/entries", entry, "submit"],
        ["GET", "/v1/entries", undefined, "read"],
        ["GET", `/v1/entries/${id}`, undefined, "read"],
        ["GET", `/v1/webhooks/deliveries?entry_id=${id}`, undefined, "read"],
        ["POST", `/v1/entries/${id}/cancel`, undefined, "submit"],
        ["GET", "/v1/webhooks", undefined, "read"],
        ["POST", "/v1/webhooks", { url: "https://hooks.example.com/b" }, "admin"],
        ["GET", "/v1/webhooks/secret", undefined, "admin"],
        ["POST", "/v1/webhooks/secret/rotate", undefined, "admin"],
        ["GET", "/v1/nodes", undefined, "admin"],
      ] as const;
    for (const scopes of [["submit"], ["read"], ["review"], ["submit", "read"], ["admin"]] as const) {
      const { id: keyId, key } = await createApiKey(target.db, scopes.join("+"), [...scopes]);
      const api = client(target, key);
      // Each key's own entry, so that only the scope decides.
      const own = newEntryId();
      await createEntry(target.db, { ...entry, tier: "B", id: own, keyId });
      for (const [method, route, body, needs] of routes(own)) {
        const res = await api(method, route, body);
        const allowed = (scopes as readonly string[]).includes(needs) || (scopes as readonly string[]).includes("admin");
        if (allowed) expect(res.status, `${scopes} ${method} ${route}`).toBeLessThan(300);
        else {
          expect(res.status, `${scopes} ${method} ${route}`).toBe(403);
          expect(res.json.error).toMatchObject({ code: "forbidden", message: `This API key lacks the "${needs}" scope` });
        }
      }
    }
  });

  it("stores only a hash of each key, and refuses revoked keys", async () => {
    const { id, key } = await createApiKey(target.db, "hashed");
    const row = (await target.db.select().from(apiKeys).where(eq(apiKeys.id, id)).get())!;
    expect(row.hash).toBe(await sha256Hex(key));
    expect(JSON.stringify(row)).not.toContain(key);
    expect((await client(target, key)("GET", "/v1/entries")).status).toBe(200);
    // (Verified keys are remembered for five seconds per isolate, so revoke one not used yet.)
    const revoked = await createApiKey(target.db, "revoked");
    await target.db.update(apiKeys).set({ revokedAt: Date.now() }).where(eq(apiKeys.id, revoked.id));
    const refused = await client(target, revoked.key)("GET", "/v1/entries");
    expect(refused.status).toBe(401);
    expect(refused.json.error.code).toBe("unauthorized");
  });

  it("rate-limits per key with 429 and Retry-After", async () => {
    const api = client(limited, await newKey(limited, "busy"));
    const other = client(limited, await newKey(limited, "calm"));
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof api>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await api("GET", "/v1/entries");
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect(last!.json.error.code).toBe("rate_limited");
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(Number(last!.headers.get("retry-after"))).toBeLessThanOrEqual(12);
    expect(last!.headers.get("ratelimit-limit")).toBe("5");
    expect((await other("GET", "/v1/entries")).status).toBe(200);
  });

  it("refuses bodies over 64 KiB on every keyed route with 413", async () => {
    const api = client(target, await newKey(target, "big"));
    const { json } = await api("POST", "/v1/entries", entry);
    const huge = { url: "https://hooks.example.com/" + "x".repeat(70_000) };
    for (const route of ["/v1/entries", "/v1/webhooks", `/v1/entries/${json.id}/cancel`, "/v1/webhooks/secret/rotate"]) {
      const res = await api("POST", route, huge, { connection: "close" });
      expect(res.status, route).toBe(413);
      expect(res.json.error.code).toBe("payload_too_large");
    }
  });

  it("refuses private and internal webhook URLs at registration and at delivery", async () => {
    const api = client(target, await newKey(target, "ssrf"));
    for (const url of privateUrls) {
      const hook = await api("POST", "/v1/webhooks", { url });
      expect(hook.status, url).toBe(422);
      expect(hook.json.error.fields[0].field).toBe("url");
      const job = await api("POST", "/v1/entries", { ...entry, webhook_url: url });
      expect(job.status, url).toBe(422);
      expect(job.json.error.fields[0].field).toBe("webhook_url");
    }
    expect((await api("POST", "/v1/webhooks", { url: "https://hooks.example.com/ok" })).status).toBe(201);
    // An endpoint stored before the guard (or under another configuration) is still not called.
    const owner = (await target.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.url, "https://hooks.example.com/ok")).all()).at(-1)!;
    await target.db.update(webhookEndpoints).set({ url: `${receiver.url}/internal` }).where(eq(webhookEndpoints.id, owner.id));
    const { json } = await api("POST", "/v1/entries", entry);
    await sendNodeEvent(target, json.id, failed);
    const delivery = await waitFor(async () => {
      const d = await target.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, owner.id)).get();
      return d && d.status !== "pending" ? d : undefined;
    });
    expect(delivery.status).toBe("failed");
    expect(delivery.lastError).toContain("not sent: the URL points at");
    expect(receiver.requests).toHaveLength(0);
  });
});
