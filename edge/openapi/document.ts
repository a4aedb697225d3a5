// The OpenAPI 3.1 document of the public API, built from the route registry (routes.ts) and the
// zod schemas the routes validate with, by zod's own JSON Schema generator (z.toJSONSchema; its
// draft 2020-12 output is OpenAPI 3.1's schema dialect). Request schemas are shown as the client
// sends them (io: "input": defaults optional), response schemas as the edge sends them.
import { z } from "zod";
import * as responses from "../../shared/api/responses.ts";
import { webhookEventTypes, WebhookPayload } from "../../shared/api/webhooks.ts";
import { scopes } from "../auth.ts";
import { defaultRetrySchedule } from "../config.ts";
import { apiRoutes, type ApiResponse, type ApiRoute } from "./routes.ts";

type Json = Record<string, unknown>;

const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** Named response schemas: every schema exported by shared/api/responses.ts, and the webhook payload. */
function namedSchemas(): Map<z.ZodType, string> {
  const named = new Map<z.ZodType, string>();
  for (const [name, value] of Object.entries(responses)) if (value instanceof z.ZodType) named.set(value, name);
  named.set(WebhookPayload, "WebhookPayload");
  return named;
}

/** A JSON Schema as OpenAPI holds it: without the document-level `$schema` and `$id` keywords. */
function bare(schema: Json): Json {
  const { $schema: _s, $id: _i, ...rest } = schema;
  return rest;
}

const inputSchema = (schema: z.ZodType) => bare(z.toJSONSchema(schema, { target: "draft-2020-12", io: "input", unrepresentable: "any" }) as Json);

function queryParameters(query: z.ZodObject): Json[] {
  const schema = inputSchema(query) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: "query", required: schema.required?.includes(name) ?? false, ...(description ? { description } : {}), schema: rest };
  });
}

function scopeText(route: ApiRoute): string {
  if (!route.scopes) return "No API key needed.";
  const named = route.scopes.map((s) => `\`${s}\``).join(" or ");
  return `Needs an API key with the ${named} scope${route.scopes.length > 1 ? "s" : ""} (an \`admin\` key may call every route).`;
}

function operation(route: ApiRoute, named: Map<z.ZodType, string>): Json {
  const parameters: Json[] = [
    ...Object.entries(route.pathParams ?? {}).map(([name, p]) => ({ name, in: "path", required: true, description: p.description, schema: { type: "string", ...(p.pattern ? { pattern: p.pattern } : {}) } })),
    ...(route.query ? queryParameters(route.query) : []),
    ...Object.entries(route.headers ?? {}).map(([name, h]) => ({ name, in: "header", required: false, description: h.description, schema: { type: "string", ...(h.pattern ? { pattern: h.pattern } : {}) } })),
  ];
  const answer = (r: ApiResponse): Json => {
    const content: Json = {};
    if (r.json) {
      const name = named.get(r.json);
      if (!name) throw new Error(`response schema of ${route.operationId} is not exported by shared/api/responses.ts`);
      content["application/json"] = { schema: schemaRef(name) };
    }
    if (r.markdown) content["text/markdown"] = { schema: { type: "string" } };
    return {
      description: r.description,
      ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: "string" } }])) } : {}),
      ...(Object.keys(content).length > 0 ? { content } : {}),
    };
  };
  const answers: Json = Object.fromEntries(Object.entries(route.responses).map(([status, r]) => [status, answer(r)]));
  if (route.scopes) {
    answers[401] = { $ref: "#/components/responses/Unauthorized" };
    answers[403] = { $ref: "#/components/responses/Forbidden" };
    answers[429] = { $ref: "#/components/responses/RateLimited" };
  }
  if (route.body) answers[400] ??= { $ref: "#/components/responses/BadRequest" };
  return {
    operationId: route.operationId,
    tags: [route.tag],
    summary: route.summary,
    description: [route.description, scopeText(route)].filter(Boolean).join("\n\n"),
    ...(route.scopes ? { security: route.scopes.map((s) => ({ apiKey: [s] })), "x-scopes": [...route.scopes] } : { security: [] }),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? { requestBody: { required: !route.body.optional, content: { "application/json": { schema: inputSchema(route.body.schema) } } } }
      : {}),
    responses: answers,
  };
}

const eventDescriptions: Record<(typeof webhookEventTypes)[number], string> = {
  "entry.started": "A GPU node started writing the entry.",
  "entry.progress": "The entry moved on (at most one per progress interval).",
  "entry.succeeded": "The entry is finished and passed the quality gate.",
  "entry.needs_review": "The entry is finished but a reviewer should look at it.",
  "entry.failed": "The entry failed; `POST /v1/entries/{id}/retry` queues it again.",
  "entry.canceled": "The entry was canceled.",
  "entry.approved": "A reviewer approved the entry.",
  "entry.rejected": "A reviewer rejected the entry.",
  "entry.edited": "A reviewer edited paragraphs (a new revision).",
  "entry.revising": "A reviewer asked for sections to be rewritten.",
  "entry.revised": "The rewritten sections came back (a new revision).",
};

/** The default retry schedule in words: "5 s, 5 min, 30 min, ..." (its first 0 is the first attempt). */
const retryText = defaultRetrySchedule
  .slice(1)
  .map((s) => (s < 60 ? `${s} s` : s < 3600 ? `${s / 60} min` : `${s / 3600} h`))
  .join(", ");

const webhookHeaders = [
  { name: "webhook-id", in: "header", required: true, description: "The event's id: the same on every retry (deduplicate on it)", schema: { type: "string" } },
  { name: "webhook-timestamp", in: "header", required: true, description: "When this attempt was signed (Unix seconds)", schema: { type: "string" } },
  { name: "webhook-signature", in: "header", required: true, description: "`v1,<base64 HMAC-SHA256>` per Standard Webhooks, over `id.timestamp.body` with the endpoint's secret", schema: { type: "string" } },
];

function webhooks(): Json {
  return Object.fromEntries(
    webhookEventTypes.map((type) => [
      type,
      {
        post: {
          operationId: `webhook_${type.replace(".", "_")}`,
          summary: type,
          description:
            `${eventDescriptions[type]}\n\nSent to every endpoint subscribed to \`${type}\` and to the entry's own \`webhook_url\`. ` +
            "Delivery order is not guaranteed: order events by the payload's `timestamp`, and deduplicate on the `webhook-id` header. " +
            `Answer 2xx within 15 s; anything else is retried after ${retryText} (with jitter; an operator may change the schedule). ` +
            "410 disables the endpoint; 429 with Retry-After is honoured.",
          parameters: webhookHeaders,
          requestBody: { required: true, content: { "application/json": { schema: { allOf: [schemaRef("WebhookPayload"), { type: "object", properties: { type: { const: type } } }] } } } },
          responses: { "2XX": { description: "Received" } },
        },
      },
    ]),
  );
}

const description = `Opus writes long-form Orthodox theological encyclopedia entries (10,000+ words for tier S) with a local LLM on GPU nodes, and serves them from this edge.

**Flow.** \`POST /v1/entries\` answers 202 at once; follow the entry by polling \`GET /v1/entries/{id}\` (send the ETag back as If-None-Match: 304 while nothing moved) or through webhooks, then read \`GET /v1/entries/{id}/content\`. A failed entry carries \`error\`; \`POST /v1/entries/{id}/retry\` queues it again.

**Auth.** Every /v1 route takes \`Authorization: Bearer <api key>\`. A key has scopes (${scopes.map((s) => `\`${s}\``).join(", ")}): each operation says which one it needs; \`admin\` may call everything. Requests are rate-limited per key (429 with Retry-After).

**Lists** answer \`{"data": [...], "next_cursor": "..."}\`: pass \`next_cursor\` as \`?cursor=\` for the next page; it is null on the last page.

**Times** are ISO 8601 in UTC: \`created_at\`, \`updated_at\`, \`finished_at\`, \`transitions[].at\`.

**Errors** all have one shape, \`{"error": {"code", "message", "fields"?}}\`; a 422 names each invalid field in \`fields\`.

**Webhooks** (below) are signed per Standard Webhooks. Their delivery order is not guaranteed: order by the payload's \`timestamp\`.`;

export function buildOpenApiDocument(version = "0.1.0"): Json {
  const named = namedSchemas();
  const registry = z.registry<{ id: string }>();
  for (const [schema, name] of named) registry.add(schema, { id: name });
  const generated = z.toJSONSchema(registry, { target: "draft-2020-12", io: "output", unrepresentable: "any", uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, Json>;
  };
  const schemas = Object.fromEntries(Object.entries(generated.schemas).map(([name, s]) => [name, bare(s)]));
  const paths: Record<string, Json> = {};
  for (const route of apiRoutes) (paths[route.path] ??= {})[route.method] = operation(route, named);
  const errorContent = { "application/json": { schema: schemaRef("ErrorResponse") } };
  return {
    openapi: "3.1.0",
    jsonSchemaDialect: "https://spec.openapis.org/oas/3.1/dialect/base",
    info: { title: "Opus API", version, description },
    tags: [
      { name: "Entries", description: "Submit entries, follow them, read them" },
      { name: "Review", description: "Reviewers' decisions, revisions and the audit log" },
      { name: "Webhooks", description: "Endpoints, signing secrets and the delivery log" },
      { name: "Nodes", description: "The GPU nodes (operators)" },
      { name: "Lint", description: "The light validators on any Markdown" },
      { name: "Health", description: "Liveness and readiness" },
      { name: "Docs", description: "This document" },
    ],
    paths,
    webhooks: webhooks(),
    components: {
      schemas,
      securitySchemes: {
        apiKey: {
          type: "http",
          scheme: "bearer",
          description: "An API key (`opus_sk_...`), made with `opus keys create`. Its scopes (submit, read, review, admin) decide which routes it may call.",
        },
      },
      responses: {
        BadRequest: { description: "Malformed JSON in the body (`bad_request`)", content: errorContent },
        Unauthorized: {
          description: "Missing, malformed, unknown or revoked API key (`unauthorized`)",
          headers: { "www-authenticate": { description: 'Bearer realm="opus"', schema: { type: "string" } } },
          content: errorContent,
        },
        Forbidden: { description: "The key lacks the scope this route needs (`forbidden`)", content: errorContent },
        RateLimited: {
          description: "Too many requests for this key (`rate_limited`)",
          headers: { "retry-after": { description: "Seconds to wait", schema: { type: "string" } } },
          content: errorContent,
        },
      },
    },
  };
}

let built: Json | undefined;
/** The document, built once per isolate or process. */
export function openApiDocument(): Json {
  built ??= buildOpenApiDocument();
  return built;
}
