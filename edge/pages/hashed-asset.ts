// A static file the edge serves itself (no CDN, so pages work offline): named by its content hash,
// so it can be cached for good, and linked with Subresource Integrity. Used by the portal and /docs.
export type HashedAsset = { path: string; integrity: string; body: string; type: string };

const encoder = new TextEncoder();
const toBase64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const toHex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

/** `body` served at `${folder}/${name}.<hash>.${ext}`. Call it on first use: Workers allow no crypto work at load time. */
export async function hashedAsset(folder: string, name: string, ext: string, body: string, type: string): Promise<HashedAsset> {
  const bytes = encoder.encode(body);
  const [sha256, sha384] = await Promise.all([crypto.subtle.digest("SHA-256", bytes), crypto.subtle.digest("SHA-384", bytes)]);
  return { path: `${folder}/${name}.${toHex(sha256).slice(0, 12)}.${ext}`, integrity: `sha384-${toBase64(sha384)}`, body, type };
}
