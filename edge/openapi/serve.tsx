// GET /openapi.json (the document) and GET /docs (the reference page and its two files), mounted
// at the root by edge/app.ts; the same in the Worker and on Node. No key needed: the document
// describes the API, it holds no data.
import { Hono } from "hono";
import type { EdgeEnv } from "../context.ts";
import { errorBody } from "../errors.ts";
import { pageSecurityHeaders } from "../pages/security-headers.ts";
import { docsAssets } from "./docs-assets.ts";
import { DocsPage } from "./docs-page.tsx";
import { openApiDocument } from "./document.ts";

/** No forms: "Try it" calls this origin with fetch. */
const docsHeaders = pageSecurityHeaders({ formAction: "'none'" });

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
