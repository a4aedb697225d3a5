// The portal's static files, served by the edge (no CDN): each under a name carrying its content
// hash, so it can be cached for good, and linked with Subresource Integrity.
import { portalCss } from "./portal-css.ts";
import { portalJs } from "./portal-js.ts";

export type Asset = { path: string; integrity: string; body: string; type: string };
export type PortalAssets = { css: Asset; js: Asset; icon: Asset };

/** The tab icon: a book, in the header's colour. */
const iconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2b1740"/><path d="M4 3h6a2 2 0 0 1 2 2v8H6a2 2 0 0 1-2-2z" fill="#fff"/><path d="M6 5h4M6 7h4" stroke="#2b1740"/></svg>`;

const encoder = new TextEncoder();
const toBase64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const toHex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");

async function asset(name: string, ext: string, body: string, type: string): Promise<Asset> {
  const bytes = encoder.encode(body);
  const [sha256, sha384] = await Promise.all([crypto.subtle.digest("SHA-256", bytes), crypto.subtle.digest("SHA-384", bytes)]);
  return { path: `/portal/assets/${name}.${toHex(sha256).slice(0, 12)}.${ext}`, integrity: `sha384-${toBase64(sha384)}`, body, type };
}

// Hashed once per isolate or process, on first use (Workers allow no crypto work at load time).
let hashed: Promise<PortalAssets> | undefined;
export function portalAssets(): Promise<PortalAssets> {
  hashed ??= Promise.all([
    asset("portal", "css", portalCss, "text/css; charset=utf-8"),
    asset("portal", "js", portalJs, "text/javascript; charset=utf-8"),
    asset("icon", "svg", iconSvg, "image/svg+xml"),
  ]).then(([css, js, icon]) => ({ css, js, icon }));
  return hashed;
}

/** The asset at `path`, if it is one of ours (and the current version of it). */
export async function findAsset(path: string): Promise<Asset | undefined> {
  const { css, js, icon } = await portalAssets();
  return [css, js, icon].find((a) => a.path === path);
}
