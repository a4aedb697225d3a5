// Bearer API keys. Keys are stored as SHA-256 hashes; a verified key is remembered for a few seconds
// per isolate so that tight polling pays neither a database read nor a hash on every request (the
// hash was 8% of a status poll's CPU). The memory holds the presented key only as long as a
// request in flight does anyway, and never writes it anywhere.
import { and, eq, isNull } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import type { EdgeDb } from "./db/client.ts";
import { apiKeys } from "./db/schema.ts";
import { ApiError } from "./errors.ts";
import { randomId, sha256Hex } from "./ids.ts";

export const scopes = ["submit", "read", "review", "admin"] as const;
export type Scope = (typeof scopes)[number];
export type AuthedKey = { id: string; name: string; scopes: Scope[] };

const cacheTtlMs = 5_000;
const verified = new Map<string, { key: AuthedKey; until: number }>();

export async function createApiKey(db: EdgeDb, name: string, keyScopes: readonly Scope[] = scopes): Promise<{ id: string; key: string }> {
  const secret = `opus_sk_${randomId("", 24).slice(1)}`;
  const id = randomId("key");
  await db.insert(apiKeys).values({
    id,
    name,
    prefix: secret.slice(0, 12),
    hash: await sha256Hex(secret),
    scopes: [...keyScopes],
    createdAt: Date.now(),
  });
  return { id, key: secret };
}

/** The key `secret` names, if it was verified within the last few seconds. */
function rememberedKey(secret: string): AuthedKey | undefined {
  const hit = verified.get(secret);
  return hit && hit.until > Date.now() ? hit.key : undefined;
}

async function lookUpKey(db: EdgeDb, secret: string): Promise<AuthedKey | undefined> {
  const hash = await sha256Hex(secret);
  const row = await db
    .select({ id: apiKeys.id, name: apiKeys.name, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt)))
    .get();
  if (!row) {
    verified.delete(secret);
    return undefined;
  }
  const key: AuthedKey = { id: row.id, name: row.name, scopes: row.scopes as Scope[] };
  verified.set(secret, { key, until: Date.now() + cacheTtlMs });
  if (verified.size > 10_000) verified.delete(verified.keys().next().value!);
  return key;
}

export async function findKey(db: EdgeDb, secret: string): Promise<AuthedKey | undefined> {
  return rememberedKey(secret) ?? lookUpKey(db, secret);
}

const unauthorized = (message: string) => new ApiError(401, "unauthorized", message, undefined, { "www-authenticate": 'Bearer realm="opus"' });

export function requireKey(getDb: (c: Parameters<MiddlewareHandler>[0]) => EdgeDb): MiddlewareHandler<{ Variables: { apiKey: AuthedKey } }> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (!header) throw unauthorized("Missing Authorization header: send `Authorization: Bearer <api key>`");
    const match = /^Bearer\s+(\S{8,200})$/i.exec(header);
    if (!match) throw unauthorized("Malformed Authorization header: expected `Bearer <api key>`");
    // The database handle is asked for only on a miss: on the Worker, asking makes one (worker.ts).
    const key = rememberedKey(match[1]!) ?? (await lookUpKey(getDb(c), match[1]!));
    if (!key) throw unauthorized("Unknown or revoked API key");
    c.set("apiKey", key);
    await next();
  };
}

export function requireScope(key: AuthedKey, scope: Scope): void {
  if (!key.scopes.includes(scope) && !key.scopes.includes("admin")) {
    throw new ApiError(403, "forbidden", `This API key lacks the "${scope}" scope`);
  }
}
