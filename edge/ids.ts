// Identifiers and opaque cursors. Entry ids sort by creation time, so listings page by id alone.

const alphabet = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

export function randomId(prefix: string, bytes = 10): string {
  return `${prefix}_${base32(crypto.getRandomValues(new Uint8Array(bytes)))}`;
}

/** 10 characters of millisecond time that sort like the time itself. */
export function sortableTimePrefix(now = Date.now()): string {
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = alphabet[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

/** `<prefix>_` + 10 characters of millisecond time + 16 random: lexically ordered by creation. */
export function newSortableId(prefix: string, now = Date.now()): string {
  return `${prefix}_${sortableTimePrefix(now)}${base32(crypto.getRandomValues(new Uint8Array(10)))}`;
}

/** `ent_` + 10 characters of millisecond time + 16 random: lexically ordered by creation. */
export function newEntryId(now = Date.now()): string {
  return newSortableId("ent", now);
}

export function encodeCursor(id: string): string {
  return btoa(id).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeCursor(cursor: string, prefix = "ent"): string | undefined {
  try {
    const id = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
    return new RegExp(`^${prefix}_[0-9a-z]{26}$`).test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
