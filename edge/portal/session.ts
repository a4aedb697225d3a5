// The review portal's session: a signed cookie naming the API key the editor signed in with, its
// expiry and a random nonce (the per-session CSRF token is derived from the nonce). The cookie never
// holds the key itself; every request looks the key up again, so revoking the key ends its sessions.
//
// The signing key comes from configuration only: OPUS_SESSION_SECRET, or, when that is unset,
// HMAC-SHA256(OPUS_NODE_SECRET, "opus portal session v1"): a one-way derivation, so a leaked session
// key reveals nothing about the node secret, and a deployment needs no new secret.
import { and, eq, isNull } from "drizzle-orm";
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import type { AuthedKey, Scope } from "../auth.ts";
import type { EdgeConfig } from "../config.ts";
import type { EdgeDb } from "../db/client.ts";
import { apiKeys } from "../db/schema.ts";
import { randomId } from "../ids.ts";

/** How long a sign-in lasts. */
export const sessionTtlSeconds = 8 * 3600;
const derivationLabel = "opus portal session v1";
const encoder = new TextEncoder();

export type PortalSession = { key: AuthedKey; nonce: string; expiresAt: number };

const hmac = async (secret: BufferSource, message: string): Promise<Uint8Array<ArrayBuffer>> => {
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode(message)));
};

const derived = new WeakMap<EdgeConfig, Promise<Uint8Array<ArrayBuffer>>>();

/** The key that signs session cookies, from the edge's configuration (never from a request). */
export function sessionSecret(config: EdgeConfig): Promise<Uint8Array<ArrayBuffer>> {
  let secret = derived.get(config);
  if (!secret) {
    secret = config.sessionSecret ? Promise.resolve(encoder.encode(config.sessionSecret)) : hmac(encoder.encode(config.nodeSecret), derivationLabel);
    derived.set(config, secret);
  }
  return secret;
}

/**
 * Served over https (as the configured public URL says), the cookie is Secure and takes the
 * `__Host-` prefix, which also pins it to this host and path `/`.
 */
export function cookieName(publicUrl: string): { name: string; secure: boolean } {
  const secure = publicUrl.startsWith("https:");
  return { name: secure ? "__Host-opus_session" : "opus_session", secure };
}

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The per-session CSRF token every form carries: bound to the session's nonce by the signing key. */
export async function csrfToken(config: EdgeConfig, nonce: string): Promise<string> {
  return base64url(await hmac(await sessionSecret(config), `csrf.${nonce}`));
}

/** Compares in time independent of where the strings differ. */
export function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The portal is for reviewers: a key needs the review scope (admin includes it). */
export const canReview = (scopes: readonly string[]) => scopes.includes("review" satisfies Scope) || scopes.includes("admin" satisfies Scope);

export async function startSession(c: Context, config: EdgeConfig, publicUrl: string, key: AuthedKey, now = Date.now()): Promise<void> {
  const expiresAt = Math.floor(now / 1000) + sessionTtlSeconds;
  const nonce = randomId("", 16).slice(1);
  const { name, secure } = cookieName(publicUrl);
  await setSignedCookie(c, name, `${key.id}.${expiresAt}.${nonce}`, await sessionSecret(config), {
    httpOnly: true,
    sameSite: "Strict",
    secure,
    path: "/",
    maxAge: sessionTtlSeconds,
  });
}

export function endSession(c: Context, publicUrl: string): void {
  const { name, secure } = cookieName(publicUrl);
  deleteCookie(c, name, { path: "/", secure, httpOnly: true, sameSite: "Strict" });
}

/**
 * The session the request carries, if its cookie is signed by us, not expired, and names a key that
 * still exists, is not revoked and may review.
 */
export async function readSession(c: Context, db: EdgeDb, config: EdgeConfig, publicUrl: string, now = Date.now()): Promise<PortalSession | undefined> {
  const { name } = cookieName(publicUrl);
  const value = await getSignedCookie(c, await sessionSecret(config), name);
  if (!value) return undefined;
  const match = /^(key_[0-9a-z]+)\.(\d{1,12})\.([0-9a-z]{16,40})$/.exec(value);
  if (!match) return undefined;
  const [, keyId, expires, nonce] = match as unknown as [string, string, string, string];
  const expiresAt = Number(expires);
  // The cookie's Max-Age is the browser's business; the signed expiry is ours.
  if (expiresAt * 1000 <= now) return undefined;
  const row = await db
    .select({ id: apiKeys.id, name: apiKeys.name, scopes: apiKeys.scopes })
    .from(apiKeys)
    .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
    .get();
  if (!row || !canReview(row.scopes)) return undefined;
  return { key: { id: row.id, name: row.name, scopes: row.scopes as Scope[] }, nonce, expiresAt };
}
