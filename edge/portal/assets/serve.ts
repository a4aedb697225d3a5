// The portal's static files, served by the edge (no CDN): each under a name carrying its content
// hash, so it can be cached for good, and linked with Subresource Integrity.
import { hashedAsset, type HashedAsset } from "../../pages/hashed-asset.ts";
import { portalCss } from "./portal-css.ts";
import { portalJs } from "./portal-js.ts";

export type Asset = HashedAsset;
export type PortalAssets = { css: Asset; js: Asset; icon: Asset };

/** The tab icon: a book, in the header's colour. */
const iconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#2b1740"/><path d="M4 3h6a2 2 0 0 1 2 2v8H6a2 2 0 0 1-2-2z" fill="#fff"/><path d="M6 5h4M6 7h4" stroke="#2b1740"/></svg>`;

// Hashed once per isolate or process, on first use (Workers allow no crypto work at load time).
let hashed: Promise<PortalAssets> | undefined;
export function portalAssets(): Promise<PortalAssets> {
  hashed ??= Promise.all([
    hashedAsset("/portal/assets", "portal", "css", portalCss, "text/css; charset=utf-8"),
    hashedAsset("/portal/assets", "portal", "js", portalJs, "text/javascript; charset=utf-8"),
    hashedAsset("/portal/assets", "icon", "svg", iconSvg, "image/svg+xml"),
  ]).then(([css, js, icon]) => ({ css, js, icon }));
  return hashed;
}

/** The asset at `path`, if it is one of ours (and the current version of it). */
export async function findAsset(path: string): Promise<Asset | undefined> {
  const { css, js, icon } = await portalAssets();
  return [css, js, icon].find((a) => a.path === path);
}
