// The running edge (Node and the real Worker bundle under Miniflare) against its own OpenAPI
// contract: every answer below is checked against the schema the route registry documents for its
// status (shared/api/responses.ts, the source of /openapi.json): an undocumented status, an
// undocumented or missing field, or a wrong type fails. Also: /openapi.json and /docs are served,
// offline (every asset from the edge itself) and under the strict CSP.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { buildOpenApiDocument } from "../../edge/openapi/document.ts";
import { apiRoutes, type ApiRoute } from "../../edge/openapi/routes.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { ErrorResponse } from "../../shared/api/responses.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { client, newKey, sendNodeEvent, startEdgeTarget, type EdgeTarget } from "../support/edge-targets.ts";
import { finishedEvent, passingEntry } from "../support/node-events.ts";

const templateRegex = (p: string) => new RegExp(`^${p.replace(/\{[^}]+\}/g, "[^/]+")}$`);

/** The registry's route for a request, preferring literal segments (/v1/webhooks/secret over /v1/webhooks/{id}). */
function routeFor(method: string, pathname: string): ApiRoute {
  const candidates = apiRoutes.filter((r) => r.method === method.toLowerCase() && templateRegex(r.path).test(pathname));
  candidates.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
  if (!candidates[0]) throw new Error(`${method} ${pathname} is not in the route registry`);
  return candidates[0];
}

/** The schema a status of a route is documented with; undefined for a documented answer without a body. */
function documented(route: ApiRoute, status: number): { json?: z.ZodType; markdown?: boolean; body: boolean } {
  const common = route.scopes && [401, 403, 429].includes(status);
  if (common || (status === 400 && route.body)) return { json: ErrorResponse, body: true };
  const r = route.responses[status];
  if (!r) throw new Error(`${route.method.toUpperCase()} ${route.path} answered ${status}, which it does not document`);
  return { json: r.json, markdown: r.markdown, body: Boolean(r.json || r.markdown) };
}

type Answer = Awaited<ReturnType<ReturnType<typeof client>>>;

/** Checks one answer against the contract; returns it for the test's own assertions. */
function conforms(method: string, route: string, res: Answer): Answer {
  const pathname = new URL(route, "http://x").pathname;
  const spec = documented(routeFor(method, pathname), res.status);
  const type = res.headers.get("content-type") ?? "";
  const where = `${method} ${route} ${res.status}`;
  if (!spec.body) {
    expect(res.text, where).toBe("");
    return res;
  }
  if (type.startsWith("text/markdown")) {
    expect(spec.markdown, `${where}: Markdown is not documented`).toBe(true);
    return res;
  }
  expect(type, where).toMatch(/^application\/json/);
  const parsed = spec.json!.safeParse(res.json);
  if (!parsed.success) throw new Error(`${where} breaks its contract: ${JSON.stringify(parsed.error.issues, null, 1)}\n${res.text.slice(0, 2000)}`);
  return res;
}

const valid = { subject: "Theosis", tier: "B", category: "Theology" };
const record = { step: "writing", progress: 0.5, words: 100, sections: { done: 1, total: 2 }, tokens: 10, eta_seconds: 30 };
const finished = (seq: number): NodeEvent => finishedEvent(seq, { status: "succeeded", ...record, step: "finished", progress: 1, words: 12, entry: passingEntry });

describe.each(["node", "worker"] as const)("the edge on %s keeps its OpenAPI contract", (name) => {
  let target: EdgeTarget;
  let call: (method: string, route: string, body?: unknown, headers?: Record<string, string>) => Promise<Answer>;
  let readOnly: (method: string, route: string, body?: unknown) => Promise<Answer>;

  beforeAll(async () => {
    // An unreachable GPU node: dispatch fails, which must not leak into the public status.
    target = await startEdgeTarget(name, { OPUS_NODE_SECRET: newSigningSecret(), OPUS_WEBHOOK_ALLOW_PRIVATE: "true", OPUS_GPU_NODE_URL: "http://127.0.0.1:9" });
    const api = client(target, await newKey(target, "alice"));
    const reader = client(target, await newKey(target, "reader", ["read"]));
    call = async (method, route, body, headers) => conforms(method, route, await api(method, route, body, headers));
    readOnly = async (method, route, body) => conforms(method, route, await reader(method, route, body));
  });
  afterAll(async () => {
    await target?.close();
  });

  it("entries: submit, poll, list, content, cancel, retry and their errors", async () => {
    const created = await call("POST", "/v1/entries", valid, { "idempotency-key": "contract-1" });
    expect(created.status).toBe(202);
    const id = created.json.id as string;
    expect((await call("POST", "/v1/entries", { ...valid, tier: "Z" })).status).toBe(422);
    expect((await call("POST", "/v1/entries", "{not json")).status).toBe(400);
    expect((await call("POST", "/v1/entries", { ...valid, seed: 1 }, { "idempotency-key": "contract-1" })).status).toBe(409);
    expect((await readOnly("POST", "/v1/entries", valid)).status).toBe(403);
    expect(conforms("GET", "/v1/entries", await client(target)("GET", "/v1/entries")).status).toBe(401);

    const polled = await call("GET", `/v1/entries/${id}`);
    expect(polled.status).toBe(200);
    expect((await call("GET", `/v1/entries/${id}`, undefined, { "if-none-match": polled.headers.get("etag")! })).status).toBe(304);
    expect((await call("GET", "/v1/entries/ent_00000000000000000000000000")).status).toBe(404);
    expect((await call("GET", `/v1/entries/${id}/content`)).status).toBe(409);
    expect((await call("POST", `/v1/entries/${id}/retry`)).status).toBe(409);

    await call("POST", "/v1/entries", valid);
    const list = await call("GET", "/v1/entries?limit=1");
    expect(list.status).toBe(200);
    expect(list.json.next_cursor).toEqual(expect.any(String));
    expect((await call("GET", `/v1/entries?cursor=${list.json.next_cursor}`)).status).toBe(200);
    expect((await call("GET", "/v1/entries?limit=0")).status).toBe(422);

    const canceled = await call("POST", `/v1/entries/${id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.json.status).toBe("canceled");

    const failing = (await call("POST", "/v1/entries", valid)).json.id as string;
    await sendNodeEvent(target, failing, { type: "progress", seq: 1, status: "sections", ...record } as NodeEvent);
    await sendNodeEvent(target, failing, { type: "failed", seq: 2, status: "failed", ...record, error: { code: "generation_failed", message: "timeout" } } as NodeEvent);
    const failedStatus = await call("GET", `/v1/entries/${failing}`);
    expect(failedStatus.json.error).toEqual({ code: "generation_failed", message: "timeout" });
    expect((await call("POST", `/v1/entries/${failing}/retry`)).status).toBe(202);

    const done = (await call("POST", "/v1/entries", valid)).json.id as string;
    expect((await sendNodeEvent(target, done, finished(1))).status).toBe(200);
    expect((await call("GET", `/v1/entries/${done}/content?format=json`)).status).toBe(200);
    expect((await call("GET", `/v1/entries/${done}/content`)).headers.get("content-type")).toMatch(/^text\/markdown/);
    expect((await call("GET", `/v1/entries/${done}/content`, undefined, { accept: "image/png" })).status).toBe(406);
    expect((await call("POST", `/v1/entries/${done}/cancel`)).status).toBe(409);

    // Review routes on the finished entry.
    expect((await call("GET", `/v1/entries/${done}/revisions`)).status).toBe(200);
    expect((await call("GET", `/v1/entries/${done}/revisions/current?format=json`)).status).toBe(200);
    expect((await call("GET", `/v1/entries/${done}/revisions/1`)).status).toBe(200);
    expect((await call("GET", `/v1/entries/${done}/revisions/7`)).status).toBe(404);
    expect((await call("GET", `/v1/entries/${done}/diff`)).status).toBe(422);
    expect((await call("POST", `/v1/entries/${done}/decisions`, { action: "approve", revision: 2 })).status).toBe(409);
    expect((await call("POST", `/v1/entries/${done}/decisions`, { action: "approve", revision: 1, reason: "sound" })).status).toBe(200);
    expect((await call("POST", `/v1/entries/${done}/decisions`, { action: "dance", revision: 1 })).status).toBe(422);
    expect((await call("GET", `/v1/entries/${done}/audit`)).status).toBe(200);
    expect((await call("GET", "/v1/audit?limit=1")).status).toBe(200);
    expect((await readOnly("GET", "/v1/audit")).status).toBe(403);
  });

  it("the public step names no internals when a GPU node cannot be reached", async () => {
    const id = (await call("POST", "/v1/entries", valid)).json.id as string;
    await target.runScheduled();
    const status = await call("GET", `/v1/entries/${id}`);
    expect(status.json.status).toBe("queued");
    expect(status.json.step).toBe("waiting for a GPU node");
    expect(status.text).not.toMatch(/unreachable|TypeError|node static|answered \d/);
    // The node list (operators) does carry the detail.
    const nodes = await call("GET", "/v1/nodes");
    expect(nodes.json.data[0].breaker.last_error).toMatch(/unreachable/);
  });

  it("webhooks, deliveries, nodes, lint and health", async () => {
    const hook = await call("POST", "/v1/webhooks", { url: "http://127.0.0.1:9/hook", events: ["entry.canceled"] });
    expect(hook.status).toBe(201);
    expect(hook.json.secret).toMatch(/^whsec_/);
    expect((await call("POST", "/v1/webhooks", { url: "ftp://x" })).status).toBe(422);
    expect((await call("GET", "/v1/webhooks")).json.next_cursor).toBeNull();
    expect((await call("GET", `/v1/webhooks/${hook.json.id}`)).status).toBe(200);
    expect((await call("GET", "/v1/webhooks/whe_0000000000000000")).status).toBe(404);
    expect((await call("POST", `/v1/webhooks/${hook.json.id}/rotate`, { overlap_seconds: 60 })).status).toBe(200);
    expect((await call("POST", `/v1/webhooks/${hook.json.id}/rotate`, { overlap_seconds: -1 })).status).toBe(422);
    expect((await call("POST", `/v1/webhooks/${hook.json.id}/enable`)).status).toBe(200);
    expect((await call("GET", "/v1/webhooks/secret")).status).toBe(200);
    expect((await call("POST", "/v1/webhooks/secret/rotate")).status).toBe(200);

    const id = (await call("POST", "/v1/entries", valid)).json.id as string;
    await call("POST", `/v1/entries/${id}/cancel`);
    const deliveries = await call("GET", `/v1/webhooks/deliveries?entry_id=${id}`);
    expect(deliveries.json.data.length).toBeGreaterThan(0);
    const delivery = deliveries.json.data[0].id as string;
    expect((await call("GET", `/v1/webhooks/deliveries/${delivery}`)).status).toBe(200);
    expect((await call("POST", `/v1/webhooks/deliveries/${delivery}/replay`)).status).toBe(202);
    expect((await call("GET", "/v1/webhooks/deliveries?status=nope")).status).toBe(422);
    expect((await call("DELETE", `/v1/webhooks/${hook.json.id}`)).status).toBe(204);
    expect((await call("POST", `/v1/webhooks/deliveries/${delivery}/replay`)).status).toBe(409);

    expect((await call("GET", "/v1/nodes")).status).toBe(200);
    expect((await readOnly("GET", "/v1/nodes")).status).toBe(403);
    expect((await call("POST", "/v1/lint", { markdown: "# Theosis\n\nA short text.\n" })).status).toBe(200);
    expect((await call("POST", "/v1/lint", { markdown: "" })).status).toBe(422);
    expect((await call("GET", "/health")).status).toBe(200);
    expect((await call("GET", "/health/live")).status).toBe(200);
  });

  it("serves /openapi.json and /docs from the edge itself, under a strict CSP", async () => {
    const res = await fetch(`${target.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument())));
    const docs = await fetch(`${target.url}/docs`);
    expect(docs.status).toBe(200);
    const csp = docs.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    const html = await docs.text();
    for (const op of apiRoutes) expect(html, op.operationId).toContain(`id="${op.operationId}"`);
    // Offline: every script, stylesheet and image is the edge's own, and each is served.
    const assets = [...html.matchAll(/(?:src|href)="([^"#]+)"/g)].map((m) => m[1]!).filter((u) => !u.startsWith("/openapi.json"));
    expect(assets.every((u) => u.startsWith("/docs/assets/")), assets.join(" ")).toBe(true);
    expect(assets.length).toBe(2);
    expect(html).not.toMatch(/<script>|<style>| style="| on[a-z]+="/);
    for (const asset of assets) expect((await fetch(`${target.url}${asset}`)).status).toBe(200);
  });
});
