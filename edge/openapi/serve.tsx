// GET /openapi.json (the document) and GET /docs (the reference page and its two files), mounted
// at the root by edge/app.ts; the same in the Worker and on Node. No key needed: the document
// describes the API, it holds no data.
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import type { EdgeEnv } from "../context.ts";
import { errorBody } from "../errors.ts";
import { docsAssets } from "./docs-assets.ts";
import { DocsPage } from "./docs-page.tsx";
import { openApiDocument } from "./document.ts";

/** The portal's policy (edge/portal/routes.tsx): our own script and stylesheet only; "Try it" calls this origin. */
const docsHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    connectSrc: ["'self'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
  },
  referrerPolicy: "same-origin",
  crossOriginResourcePolicy: "same-origin",
});

let page: Promise<string> | undefined;

export const docsRoutes = new Hono<EdgeEnv>()
  .get("/openapi.json", (c) => {
    c.header("cache-control", "public, max-age=300");
    // Generators and docs tools on other origins read the document too.
    c.header("access-control-allow-origin", "*");
    return c.json(openApiDocument());
  })
  .get("/docs", docsHeaders, async (c) => {
    page ??= docsAssets().then(async (assets) => `<!doctype html>${await Promise.resolve((<DocsPage doc={openApiDocument()} assets={assets} />).toString())}`);
    c.header("cache-control", "public, max-age=300");
    return c.html(await page);
  })
  .get("/docs/assets/:file", docsHeaders, async (c) => {
    const { css, js } = await docsAssets();
    const asset = [css, js].find((a) => a.path === new URL(c.req.url).pathname);
    if (!asset) return c.json(errorBody("not_found", "No such file"), 404);
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "public, max-age=31536000, immutable" });
  });
