// Requests between the edge and GPU nodes are signed exactly like Standard Webhooks messages
// (HMAC-SHA256 over id, timestamp and body, with a whsec_ secret), through the `standardwebhooks`
// library: one audited scheme for node traffic and user webhooks, with replay protection from the
// timestamp tolerance the library enforces.
import { Webhook } from "standardwebhooks";

export const signatureHeaders = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

function randomToken(bytes: number): string {
  const buf = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(buf, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new shared secret in the Standard Webhooks format (`whsec_` + base64 of 32 random bytes). */
export function newSigningSecret(): string {
  const raw = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...raw))}`;
}

/** Throws a clear error when a configured secret is not usable, so a typo fails at start. */
export function assertSigningSecret(secret: string | undefined, name: string): string {
  if (!secret) throw new Error(`${name} is not set: generate one with \`opus secret\` and give the same value to the edge and the GPU node`);
  try {
    new Webhook(secret);
  } catch {
    throw new Error(`${name} is not a valid signing secret: expected "whsec_" followed by base64 (generate one with \`opus secret\`)`);
  }
  return secret;
}

export function signHeaders(secret: string, body: string, now = new Date()): Record<string, string> {
  const id = `msg_${randomToken(12)}`;
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": new Webhook(secret).sign(id, now, body),
  };
}

/**
 * Standard Webhooks headers for one delivery attempt of message `id`, signed with every secret in
 * `secrets` (space-separated signatures: the current secret and, while rotating, the previous one).
 */
export function webhookHeaders(secrets: readonly string[], id: string, body: string, now = new Date()): Record<string, string> {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(id, now, body)).join(" "),
  };
}

/** True when `headers` carry a valid, fresh signature of `body` under `secret`. */
export function verifySignature(secret: string, body: string, headers: Headers): boolean {
  const found: Record<string, string> = {};
  for (const name of signatureHeaders) {
    const value = headers.get(name);
    if (!value) return false;
    found[name] = value;
  }
  try {
    new Webhook(secret).verify(body, found);
    return true;
  } catch {
    return false;
  }
}

/** POSTs `payload` as signed JSON. */
export async function postSigned(url: string, secret: string, payload: unknown, init: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, {
    method: "POST",
    headers: { ...init.headers, "content-type": "application/json", ...signHeaders(secret, body) },
    body,
    signal: init.signal,
  });
}
