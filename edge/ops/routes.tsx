// The operations dashboard's two faces: GET /v1/ops (JSON, an API key with the admin scope) and the
// page /portal/ops (the review portal's sign-in and session; admin keys only), the same figures.
import { Hono, type Context } from "hono";
import { requireScope } from "../auth.ts";
import type { EdgeEnv } from "../context.ts";
import type { PortalAssets } from "../portal/assets/serve.ts";
import type { Viewer } from "../portal/components/layout.tsx";
import { ProblemPage } from "../portal/pages/problem.tsx";
import { opsSnapshot } from "./figures.ts";
import { OpsPage } from "./page.tsx";

export const opsApiRoutes = new Hono<EdgeEnv>().get("/", async (c) => {
  requireScope(c.var.apiKey, "admin");
  const { db, config } = c.var.deps;
  c.header("cache-control", "no-store");
  return c.json(await opsSnapshot(db, config));
});

async function html(c: Context, node: unknown, status: 200 | 403 = 200): Promise<Response> {
  const body = await Promise.resolve((node as { toString(): string | Promise<string> }).toString());
  c.header("cache-control", "no-store");
  return c.html(`<!doctype html>${body}`, status);
}

type OpsPortalVars = EdgeEnv["Variables"] & { assets: PortalAssets; viewer: Viewer };

/** The page's handler, mounted by the portal after its session check (edge/portal/routes.tsx). */
export async function opsPageHandler(c: Context<{ Variables: OpsPortalVars }>): Promise<Response> {
  const { assets, viewer, apiKey } = c.var;
  if (!apiKey.scopes.includes("admin")) {
    return html(
      c,
      <ProblemPage assets={assets} viewer={viewer} title="Admins only" message={`The key "${apiKey.name}" lacks the admin scope: the operations dashboard is for admin keys.`} back={{ href: "/portal/queue", label: "Back to the queue" }} />,
      403,
    );
  }
  const { db, config } = c.var.deps;
  return html(c, <OpsPage assets={assets} viewer={viewer} ops={await opsSnapshot(db, config)} />);
}
