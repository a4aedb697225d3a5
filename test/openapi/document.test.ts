// The OpenAPI document against the app and the specification: every route the app serves is in it
// (save the listed internal ones) and nothing in it is missing from the app; it validates against
// the OpenAPI 3.1 schema; and types generated from it by openapi-typescript compile against a
// small typed client (while a client that misuses them does not).
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Validator } from "@seriousme/openapi-schema-validator";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { createApp } from "../../edge/app.ts";
import { buildOpenApiDocument } from "../../edge/openapi/document.ts";
import { undocumentedPrefixes } from "../../edge/openapi/routes.ts";

const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>>; webhooks: Record<string, unknown> };

/** The routes the app serves, as "METHOD /path/{param}" (middleware, registered for ALL methods, left out). */
function servedRoutes(): string[] {
  const app = createApp(() => {
    throw new Error("no requests in this test");
  });
  const served = app.routes
    .filter((r) => r.method !== "ALL")
    .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z_]+)/g, "{$1}")}`)
    .filter((r) => !undocumentedPrefixes.some((prefix) => r.split(" ")[1]!.startsWith(prefix)));
  return [...new Set(served)].sort();
}

const documentedRoutes = () =>
  Object.entries(doc.paths)
    .flatMap(([p, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${p}`))
    .sort();

describe("the OpenAPI document", () => {
  it("lists exactly the routes the app serves, save the internal ones", () => {
    const served = servedRoutes();
    expect(served.length).toBeGreaterThan(20);
    expect(documentedRoutes()).toEqual(served);
    // The exclusions are what they say: the node protocol, the portal and the docs page.
    const app = createApp(() => {
      throw new Error("unused");
    });
    const excluded = [...new Set(app.routes.filter((r) => r.method !== "ALL" && undocumentedPrefixes.some((p) => r.path.startsWith(p))).map((r) => r.path))];
    expect(excluded).toContain("/v1/node/entries/:id/events");
    expect(excluded).toContain("/docs");
    expect(excluded.every((p) => p.startsWith("/v1/node/") || p.startsWith("/portal") || p.startsWith("/docs"))).toBe(true);
  });

  it("validates against the OpenAPI 3.1 schema", async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(doc)));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    // And the validator does reject a broken document (a response without its description).
    const broken = JSON.parse(JSON.stringify(doc));
    delete broken.paths["/v1/entries"].post.responses["202"].description;
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it("documents every webhook event, auth and scopes on every keyed route", () => {
    expect(Object.keys(doc.webhooks)).toContain("entry.canceled");
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item) as [string, { security: unknown[]; responses: Record<string, unknown> }][]) {
        if (p.startsWith("/v1/")) {
          expect(op.security.length, `${method} ${p}`).toBeGreaterThan(0);
          expect(Object.keys(op.responses), `${method} ${p}`).toEqual(expect.arrayContaining(["401", "403", "429"]));
        } else expect(op.security, `${method} ${p}`).toEqual([]);
      }
    }
  });

  it("generates types (openapi-typescript) that a typed client compiles against", async () => {
    const types = astToString(await openapiTS(JSON.parse(JSON.stringify(doc))));
    const dir = mkdtempSync(path.join(os.tmpdir(), "opus-openapi-"));
    writeFileSync(path.join(dir, "schema.ts"), types);
    const client = `
import type { components, paths } from "./schema.ts";
type Json<P extends keyof paths, M extends keyof paths[P], S extends number> = paths[P][M] extends { responses: infer R }
  ? S extends keyof R ? R[S] extends { content: { "application/json": infer B } } ? B : never : never
  : never;
export type EntryStatus = Json<"/v1/entries/{id}", "get", 200>;
export type CreateEntry = paths["/v1/entries"]["post"]["requestBody"]["content"]["application/json"];

export async function submit(base: string, key: string, body: CreateEntry): Promise<Json<"/v1/entries", "post", 202>> {
  const res = await fetch(base + "/v1/entries", { method: "POST", headers: { authorization: "Bearer " + key, "content-type": "application/json" }, body: JSON.stringify(body) });
  return (await res.json()) as Json<"/v1/entries", "post", 202>;
}
export async function status(base: string, key: string, id: string): Promise<EntryStatus> {
  return (await (await fetch(base + "/v1/entries/" + id, { headers: { authorization: "Bearer " + key } })).json()) as EntryStatus;
}
export async function allEntries(base: string, key: string): Promise<EntryStatus[]> {
  const out: EntryStatus[] = [];
  let cursor: string | null = null;
  do {
    const page: Json<"/v1/entries", "get", 200> = await (await fetch(base + "/v1/entries" + (cursor ? "?cursor=" + cursor : ""), { headers: { authorization: "Bearer " + key } })).json();
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}
export function describeEntry(s: EntryStatus): string {
  const since: string = s.created_at;
  const changed: string = s.updated_at;
  const failed: string | undefined = s.error?.code;
  return s.id + " " + s.status + " " + s.words + " words, " + s.step + " " + since + changed + (failed ?? "");
}
export const payloadTime = (p: components["schemas"]["WebhookPayload"]): number => Date.parse(p.timestamp);
export const finishedAt = (c: Json<"/v1/entries/{id}/content", "get", 200>): string => c.finished_at;
export const canceled = (c: Json<"/v1/entries/{id}/cancel", "post", 200>): "canceled" | string => c.status;
export const request: CreateEntry = { subject: "Theosis", tier: "S", category: "Theology" };
`;
    const compile = (source: string) => {
      const file = path.join(dir, `client-${Math.random().toString(36).slice(2)}.ts`);
      writeFileSync(file, source);
      const program = ts.createProgram([file], {
        strict: true,
        noEmit: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        allowImportingTsExtensions: true,
        lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
        types: [],
        skipLibCheck: true,
      });
      return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
    };
    expect(compile(client)).toEqual([]);
    // The types say something: a wrong tier and a field the API does not have are compile errors.
    expect(compile(`${client}\nexport const bad: CreateEntry = { subject: "x", tier: "Z", category: "y" };\n`).join("\n")).toMatch(/"Z"/);
    expect(compile(`${client}\nexport const words = (s: EntryStatus) => s.wordz;\n`).join("\n")).toMatch(/wordz/);
  });
});
