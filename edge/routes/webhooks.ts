// Webhook endpoints of the calling API key, the signing secret of entries' own webhook_url, and the
// delivery log with replay. Reading needs the "read" scope; changing anything needs "admin".
import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { CreateWebhookRequest, ListDeliveriesQuery, RotateSecretRequest } from "../../shared/api/webhooks.ts";
import { requireScope } from "../auth.ts";
import { runInBackground, type EdgeContext, type EdgeEnv } from "../context.ts";
import { ApiError, fieldErrors, shownId, validationHook } from "../errors.ts";
import { decodeCursor, encodeCursor } from "../ids.ts";
import { deliverDue } from "../webhooks/deliver.ts";
import { activeSecrets, defaultOverlapSeconds, keySigningSecret, rotateKeySigningSecret } from "../webhooks/secrets.ts";
import { webhookUrlProblem } from "../webhooks/ssrf.ts";
import {
  attemptView,
  countEndpoints,
  createEndpoint,
  deleteEndpoint,
  deliveryAttempts,
  deliveryView,
  enableEndpoint,
  endpointView,
  findDelivery,
  findEndpoint,
  listDeliveries,
  listEndpoints,
  maxEndpointsPerKey,
  replayDelivery,
  rotateEndpointSecret,
} from "../webhooks/store.ts";

const endpointIdPattern = /^whe_[0-9a-z]{16}$/;
const deliveryIdPattern = /^whd_[0-9a-z]{26}$/;

const endpointNotFound = (id: string) => new ApiError(404, "webhook_not_found", `No webhook endpoint ${shownId(id)} for this API key`);
const deliveryNotFound = (id: string) => new ApiError(404, "delivery_not_found", `No webhook delivery ${shownId(id)} for this API key`);

async function ownedEndpoint(c: EdgeContext, id: string) {
  if (!endpointIdPattern.test(id)) throw endpointNotFound(id);
  const row = await findEndpoint(c.var.deps.db, c.var.apiKey.id, id);
  if (!row) throw endpointNotFound(id);
  return row;
}

async function ownedDelivery(c: EdgeContext, id: string) {
  if (!deliveryIdPattern.test(id)) throw deliveryNotFound(id);
  const row = await findDelivery(c.var.deps.db, c.var.apiKey.id, id);
  if (!row) throw deliveryNotFound(id);
  return row;
}

/** Bodies are optional on these POSTs: an empty body means the defaults. */
async function optionalJson(c: EdgeContext): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "bad_request", "Malformed JSON in request body");
  }
}

function parseRotate(value: unknown): number {
  const parsed = RotateSecretRequest.safeParse(value);
  if (!parsed.success) {
    throw new ApiError(422, "invalid_request", "Invalid overlap_seconds", fieldErrors(parsed.error));
  }
  return parsed.data.overlap_seconds ?? defaultOverlapSeconds;
}

export const webhookRoutes = new Hono<EdgeEnv>()
  .post("/", zValidator("json", CreateWebhookRequest, validationHook), async (c) => {
    requireScope(c.var.apiKey, "admin");
    const body = c.req.valid("json");
    const problem = webhookUrlProblem(body.url, c.var.deps.config.webhooks.allowPrivate);
    if (problem) throw new ApiError(422, "invalid_request", "Invalid url", [{ field: "url", message: `url ${problem}` }]);
    if ((await countEndpoints(c.var.deps.db, c.var.apiKey.id)) >= maxEndpointsPerKey) {
      throw new ApiError(409, "too_many_endpoints", `An API key may have at most ${maxEndpointsPerKey} webhook endpoints; delete one first`);
    }
    const row = await createEndpoint(c.var.deps.db, c.var.apiKey.id, body);
    return c.json(endpointView(row, true), 201);
  })
  .get("/", async (c) => {
    requireScope(c.var.apiKey, "read");
    const rows = await listEndpoints(c.var.deps.db, c.var.apiKey.id);
    // One list shape everywhere: `data` and `next_cursor` (null: a key has at most maxEndpointsPerKey).
    return c.json({ data: rows.map((r) => endpointView(r)), next_cursor: null });
  })
  .get("/secret", async (c) => {
    requireScope(c.var.apiKey, "admin");
    const row = await keySigningSecret(c.var.deps.db, c.var.apiKey.id);
    const [secret, previous] = activeSecrets(row);
    return c.json({ secret, previous_secret: previous ?? null, previous_secret_expires_at: previous ? new Date(row.previousSecretExpiresAt!).toISOString() : null });
  })
  .post("/secret/rotate", async (c) => {
    requireScope(c.var.apiKey, "admin");
    const overlap = parseRotate(await optionalJson(c));
    const row = await rotateKeySigningSecret(c.var.deps.db, c.var.apiKey.id, overlap);
    const [secret, previous] = activeSecrets(row);
    return c.json({ secret, previous_secret: previous ?? null, previous_secret_expires_at: previous ? new Date(row.previousSecretExpiresAt!).toISOString() : null });
  })
  .get("/deliveries", zValidator("query", ListDeliveriesQuery, validationHook), async (c) => {
    requireScope(c.var.apiKey, "read");
    const q = c.req.valid("query");
    const beforeId = q.cursor === undefined ? undefined : decodeCursor(q.cursor, "whd");
    if (q.cursor !== undefined && beforeId === undefined) {
      throw new ApiError(422, "invalid_request", "Invalid cursor", [{ field: "cursor", message: "not a cursor returned by this API" }]);
    }
    const rows = await listDeliveries(c.var.deps.db, c.var.apiKey.id, { entryId: q.entry_id, endpointId: q.endpoint_id, status: q.status, limit: q.limit, beforeId });
    const page = rows.slice(0, q.limit);
    return c.json({ data: page.map(deliveryView), next_cursor: rows.length > q.limit ? encodeCursor(page[page.length - 1]!.id) : null });
  })
  .get("/deliveries/:id", async (c) => {
    requireScope(c.var.apiKey, "read");
    const row = await ownedDelivery(c, c.req.param("id"));
    const attempts = await deliveryAttempts(c.var.deps.db, row.id);
    return c.json({ ...deliveryView(row), attempt_log: attempts.map(attemptView) });
  })
  .post("/deliveries/:id/replay", async (c) => {
    requireScope(c.var.apiKey, "admin");
    const original = await ownedDelivery(c, c.req.param("id"));
    if (original.endpointId) {
      const endpoint = await findEndpoint(c.var.deps.db, c.var.apiKey.id, original.endpointId);
      if (!endpoint) throw new ApiError(409, "endpoint_deleted", "The endpoint of this delivery was deleted");
      if (endpoint.disabledAt !== null) {
        throw new ApiError(409, "endpoint_disabled", `Endpoint ${endpoint.id} is disabled (${endpoint.disabledReason}); enable it first with POST /v1/webhooks/${endpoint.id}/enable`);
      }
    }
    const replay = await replayDelivery(c.var.deps.db, original);
    runInBackground(c, deliverDue(c.var.deps.db, c.var.deps.config, { deliveryId: replay.id, limit: 1 }));
    return c.json(deliveryView(replay), 202);
  })
  .get("/:id", async (c) => {
    requireScope(c.var.apiKey, "read");
    return c.json(endpointView(await ownedEndpoint(c, c.req.param("id"))));
  })
  .delete("/:id", async (c) => {
    requireScope(c.var.apiKey, "admin");
    const id = c.req.param("id");
    if (!endpointIdPattern.test(id) || !(await deleteEndpoint(c.var.deps.db, c.var.apiKey.id, id))) throw endpointNotFound(id);
    return c.body(null, 204);
  })
  .post("/:id/rotate", async (c) => {
    requireScope(c.var.apiKey, "admin");
    const endpoint = await ownedEndpoint(c, c.req.param("id"));
    const overlap = parseRotate(await optionalJson(c));
    const row = (await rotateEndpointSecret(c.var.deps.db, c.var.apiKey.id, endpoint.id, overlap))!;
    return c.json(endpointView(row, true));
  })
  .post("/:id/enable", async (c) => {
    requireScope(c.var.apiKey, "admin");
    const endpoint = await ownedEndpoint(c, c.req.param("id"));
    return c.json(endpointView((await enableEndpoint(c.var.deps.db, c.var.apiKey.id, endpoint.id))!));
  });
