// The review portal's routes, mounted at /portal by edge/app.ts: server-rendered pages, the same in
// the Worker and on Node. Every action is a form that posts and redirects (303), so everything works
// without JavaScript; the one script (assets/portal-js.ts) only adds conveniences.
//
// Defences, in order: strict secure headers (CSP: scripts and styles from 'self' only, no inline
// code, no framing), a body limit, form content types only, hono/csrf (the Origin or Sec-Fetch-Site
// header must name this site), the signed session cookie, and a per-session CSRF token in every form.
import { Hono, type Context, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { isFinished } from "../../shared/lifecycle/index.ts";
import { Decision } from "../../shared/review/decisions.ts";
import { splitSection } from "../../shared/review/sections.ts";
import { findKey } from "../auth.ts";
import { runInBackground, type EdgeEnv } from "../context.ts";
import { findEntry } from "../entries/reads.ts";
import { statusEtag } from "../entries/present.ts";
import { ApiError, fieldErrors } from "../errors.ts";
import { ifNoneMatchHits } from "../etag.ts";
import { pageSecurityHeaders } from "../pages/security-headers.ts";
import { rateLimit } from "../rate-limit.ts";
import { auditFor, decide, diffRevisions, getRevision, listRevisions, type DecisionOutcome } from "../review/store.ts";
import { findAsset, portalAssets, type PortalAssets } from "./assets/serve.ts";
import type { Viewer } from "./components/layout.tsx";
import { entryPageProps } from "./entry-data.ts";
import { EditPage } from "./pages/edit.tsx";
import { EntryPage } from "./pages/entry.tsx";
import { DiffPage, HistoryPage } from "./pages/history.tsx";
import { ProblemPage, type ProblemPageProps } from "./pages/problem.tsx";
import { ProgressPage } from "./pages/progress.tsx";
import { QueuePage } from "./pages/queue.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { opsPageHandler } from "../ops/routes.tsx";
import { formToDecision, keptText, type FormBody } from "./forms.ts";
import { queueCategories, queuePage, QueueQuery } from "./queue.ts";
import { canReview, csrfToken, endSession, readSession, sameToken, startSession, type PortalSession } from "./session.ts";

type PortalVariables = EdgeEnv["Variables"] & { assets: PortalAssets; session: PortalSession; viewer: Viewer; form: FormBody };
export type PortalEnv = { Variables: PortalVariables };
type PortalContext = Context<PortalEnv>;

/** Forms carry paragraphs and instructions; far below the edge's other limits for users. */
const maxFormBytes = 256 * 1024;
const entryIdPattern = /^ent_[0-9a-z]{26}$/;

/** Renders a page with its doctype. */
async function page(c: Context, node: unknown, status: ContentfulStatusCode = 200): Promise<Response> {
  const body = await Promise.resolve((node as { toString(): string | Promise<string> }).toString());
  c.header("cache-control", "no-store");
  return c.html(`<!doctype html>${body}`, status);
}

async function problem(c: Context, status: ContentfulStatusCode, props: Omit<ProblemPageProps, "assets">): Promise<Response> {
  return page(c, <ProblemPage assets={await portalAssets()} {...props} />, status);
}

/** Only paths inside the portal: never an address elsewhere (no open redirect). */
const safeNext = (next: unknown): string | undefined =>
  typeof next === "string" && /^\/portal\/[A-Za-z0-9\-._~%!$&'()*+,;=:@/?#]*$/.test(next) && !next.startsWith("//") && !next.includes("/../") ? next : undefined;

const entryNotFound = (c: PortalContext) =>
  problem(c, 404, { viewer: c.var.viewer, title: "No such entry", message: "This key has no such entry.", back: { href: "/portal/queue", label: "Back to the queue" } });

function entryId(c: PortalContext): string | undefined {
  const id = c.req.param("id") ?? "";
  return entryIdPattern.test(id) ? id : undefined;
}

const positiveInt = (value: string | undefined): number | undefined => (value !== undefined && /^\d{1,9}$/.test(value) && Number(value) >= 1 ? Number(value) : undefined);

export function portalRoutes(): Hono<PortalEnv> {
  const app = new Hono<PortalEnv>();

  app.onError(async (err, c) => {
    if (err instanceof ApiError) {
      if (err.headers) for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
      return problem(c, err.status, { viewer: c.var.viewer, title: "Request refused", message: err.message, back: { href: "/portal/queue", label: "Back to the queue" } });
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const message =
        status === 403
          ? "This form was not sent from this site's own page, so it was refused. Open the page again and resend it."
          : status === 413
            ? `The form is larger than ${maxFormBytes / 1024} KiB.`
            : err.message || "The request was refused.";
      return problem(c, status, { viewer: c.var.viewer, title: "Request refused", message, back: { href: "/portal/queue", label: "Back to the queue" } });
    }
    console.error("portal error", err);
    return problem(c, 500, { viewer: c.var.viewer, title: "Something went wrong", message: "The page could not be made; the error is in the server log." });
  });

  app.use("*", pageSecurityHeaders({ formAction: "'self'" }));


  // Our own files, cached for good (their names carry their hash); no session needed.
  app.get("/assets/:file", async (c) => {
    const asset = await findAsset(new URL(c.req.url).pathname);
    if (!asset) return problem(c, 404, { title: "Not found", message: "No such file." });
    return c.body(asset.body, 200, { "content-type": asset.type, "cache-control": "public, max-age=31536000, immutable" });
  });

  const limit = bodyLimit({
    maxSize: maxFormBytes,
    onError: () => {
      throw new HTTPException(413, { message: "form too large" });
    },
  });
  const checkOrigin = csrf({ origin: (origin, c) => origin === new URL(c.req.url).origin || origin === new URL((c as PortalContext).var.deps.publicUrl).origin });
  app.use("*", async (c, next) => {
    c.set("assets", await portalAssets());
    if (c.req.method !== "POST") return next();
    const type = c.req.header("content-type") ?? "";
    if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type)) {
      return problem(c, 415, { title: "Unsupported form", message: "The portal takes HTML forms only (application/x-www-form-urlencoded or multipart/form-data)." });
    }
    await limit(c, async () => {
      await checkOrigin(c, next);
    });
  });

  app.get("/", (c) => c.redirect("/portal/queue", 303));

  // ---- Sign in and out ----
  app.get("/sign-in", async (c) => {
    const { db, config, publicUrl } = c.var.deps;
    if (await readSession(c, db, config, publicUrl)) return c.redirect("/portal/queue", 303);
    const ended = c.req.query("signed-out") !== undefined ? "You are signed out." : undefined;
    return page(c, <SignInPage assets={c.var.assets} next={safeNext(c.req.query("next"))} problem={ended} />);
  });
  app.post("/sign-in", async (c) => {
    const { db, config, publicUrl } = c.var.deps;
    const form = await c.req.parseBody();
    const next = safeNext(form.next);
    const secret = typeof form.key === "string" ? form.key.trim() : "";
    const refuse = (status: ContentfulStatusCode, message: string) => page(c, <SignInPage assets={c.var.assets} problem={message} next={next} />, status);
    if (!/^\S{8,200}$/.test(secret)) return refuse(422, "Enter an API key (8 to 200 characters, no spaces).");
    const key = await findKey(db, secret);
    if (!key) return refuse(401, "That key is unknown or revoked.");
    if (!canReview(key.scopes)) return refuse(403, `The key "${key.name}" lacks the review scope.`);
    await startSession(c, config, publicUrl, key);
    return c.redirect(next ?? "/portal/queue", 303);
  });

  // ---- Everything else needs a session; every form also its CSRF token ----
  const requireSession: MiddlewareHandler<PortalEnv> = async (c, next) => {
    const { db, config, publicUrl } = c.var.deps;
    const session = await readSession(c, db, config, publicUrl);
    if (!session) {
      const url = new URL(c.req.url);
      if (c.req.method === "GET") return c.redirect(`/portal/sign-in?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
      const form = await c.req.parseBody({ all: true });
      return problem(c, 401, {
        title: "Signed out",
        message: "Your session has ended, so nothing was saved. Sign in again, then resend.",
        kept: keptText(form),
        back: { href: "/portal/sign-in", label: "Sign in" },
      });
    }
    const token = await csrfToken(config, session.nonce);
    c.set("session", session);
    c.set("apiKey", session.key);
    c.set("viewer", { name: session.key.name, csrf: token });
    if (c.req.method === "POST") {
      const form = await c.req.parseBody({ all: true });
      const sent = typeof form._csrf === "string" ? form._csrf : "";
      if (!sameToken(sent, token)) {
        return problem(c, 403, {
          viewer: c.var.viewer,
          title: "Form expired",
          message: "This form belongs to an earlier session, so nothing was saved. Open the page again and resend.",
          kept: keptText(form),
          back: { href: "/portal/queue", label: "Back to the queue" },
        });
      }
      c.set("form", form);
    }
    await next();
  };
  app.use("/sign-out", requireSession);
  app.use("/queue", requireSession, rateLimit());
  app.use("/entries/*", requireSession, rateLimit());
  // The operations dashboard (edge/ops/): admin keys only, checked by its handler.
  app.use("/ops", requireSession, rateLimit());
  app.get("/ops", opsPageHandler);

  app.post("/sign-out", (c) => {
    endSession(c, c.var.deps.publicUrl);
    return c.redirect("/portal/sign-in?signed-out", 303);
  });

  // ---- Queue ----
  app.get("/queue", async (c) => {
    const parsed = QueueQuery.safeParse(c.req.query());
    if (!parsed.success) {
      return problem(c, 422, { viewer: c.var.viewer, title: "Bad filter", message: "The queue cannot be filtered that way.", fields: fieldErrors(parsed.error), back: { href: "/portal/queue", label: "Clear the filters" } });
    }
    const { db } = c.var.deps;
    const keyId = c.var.session.key.id;
    const [result, categories] = await Promise.all([queuePage(db, keyId, parsed.data), queueCategories(db, keyId)]);
    return page(c, <QueuePage assets={c.var.assets} viewer={c.var.viewer} query={parsed.data} {...result} categories={categories} now={Date.now()} />);
  });

  // ---- One entry ----
  app.get("/entries/:id", async (c) => {
    const id = entryId(c);
    if (!id) return entryNotFound(c);
    const requested = c.req.query("revision");
    const number = requested === undefined ? "current" : positiveInt(requested);
    if (number === undefined) return problem(c, 422, { viewer: c.var.viewer, title: "Bad revision", message: "revision must be a revision number (1, 2, ...)." });
    const props = await entryPageProps(c.var.deps.db, id, c.var.session.key.id, number);
    if (props === "not_found") return entryNotFound(c);
    if (props === "no_text") {
      return problem(c, 409, { viewer: c.var.viewer, title: "Not written yet", message: "The entry has no text yet: the pipeline has not finished it.", back: { href: "/portal/queue", label: "Back to the queue" } });
    }
    return page(c, <EntryPage assets={c.var.assets} viewer={c.var.viewer} {...props} done={c.req.query("done")} />);
  });

  app.get("/entries/:id/sections/:section/paragraphs/:paragraph/edit", async (c) => {
    const id = entryId(c);
    if (!id) return entryNotFound(c);
    const keyId = c.var.session.key.id;
    const entry = await findEntry(c.var.deps.db, id, keyId);
    if (!entry) return entryNotFound(c);
    const revision = await getRevision(c.var.deps.db, id, keyId, "current");
    const s = Number(c.req.param("section"));
    const p = Number(c.req.param("paragraph"));
    const section = Number.isInteger(s) ? revision?.sections[s] : undefined;
    const text = section && Number.isInteger(p) ? splitSection(section.markdown).paragraphs[p] : undefined;
    if (!revision || !section || text === undefined) {
      return problem(c, 404, { viewer: c.var.viewer, title: "No such paragraph", message: "The current revision has no such paragraph.", back: { href: `/portal/entries/${id}`, label: "Back to the entry" } });
    }
    const asked = positiveInt(c.req.query("revision"));
    if (asked !== undefined && asked !== revision.number) {
      return problem(c, 409, {
        viewer: c.var.viewer,
        title: "The entry changed",
        message: `You were reading revision ${asked}; the entry is now at revision ${revision.number}. Read it again before editing.`,
        back: { href: `/portal/entries/${id}`, label: `Open revision ${revision.number}` },
      });
    }
    return page(
      c,
      <EditPage
        assets={c.var.assets}
        viewer={c.var.viewer}
        entry={{ id, subject: entry.subject }}
        revision={revision.number}
        section={s}
        sectionTitle={section.title}
        paragraph={p}
        text={text}
      />,
    );
  });

  app.post("/entries/:id/decisions", async (c) => {
    const id = entryId(c);
    if (!id) return entryNotFound(c);
    const form = c.var.form;
    const built = formToDecision(form);
    const back = { href: `/portal/entries/${id}`, label: "Back to the entry" };
    if (!built.ok) return problem(c, 422, { viewer: c.var.viewer, title: "Check the form", message: built.message, fields: built.fields, kept: keptText(form), back });
    const parsed = Decision.safeParse(built.decision);
    if (!parsed.success) {
      return problem(c, 422, { viewer: c.var.viewer, title: "Check the form", message: "Some fields need another look.", fields: fieldErrors(parsed.error), kept: keptText(form), back });
    }
    const decision = parsed.data;
    const outcome: DecisionOutcome = await decide(c.var.deps, c.var.session.key, id, decision, { background: (work) => runInBackground(c, work) });
    if (!outcome.ok) {
      if (outcome.code === "entry_not_found") return entryNotFound(c);
      if (outcome.code === "invalid_request") {
        return problem(c, 422, { viewer: c.var.viewer, title: "Check the form", message: "Some fields need another look.", fields: outcome.fields, kept: keptText(form), back });
      }
      const { current } = outcome;
      const message =
        outcome.code === "stale_revision"
          ? `Someone acted on this entry first: it is now at revision ${current.revision} (${current.status}), and you were deciding on revision ${decision.revision}. Nothing was saved; read the new revision first.`
          : `The entry is ${current.status} (revision ${current.revision}): it cannot be decided on now. Nothing was saved.`;
      return problem(c, 409, { viewer: c.var.viewer, title: "The entry changed", message, kept: keptText(form), back: { href: `/portal/entries/${id}`, label: `Open revision ${current.revision}` } });
    }
    switch (decision.action) {
      case "approve":
        return c.redirect(`/portal/entries/${id}?done=approved`, 303);
      case "reject":
        return c.redirect(`/portal/entries/${id}?done=rejected`, 303);
      case "edit": {
        const [first] = decision.edits;
        return c.redirect(`/portal/entries/${id}?done=edited#p-${first!.section}-${first!.paragraph}`, 303);
      }
      case "revise":
        return c.redirect(`/portal/entries/${id}/progress?from=${decision.revision}`, 303);
    }
  });

  // ---- A revision under way ----
  app.get("/entries/:id/progress", async (c) => {
    const id = entryId(c);
    if (!id) return entryNotFound(c);
    const entry = await findEntry(c.var.deps.db, id, c.var.session.key.id);
    if (!entry) return entryNotFound(c);
    const from = positiveInt(c.req.query("from")) ?? Math.max(1, entry.status === "revising" ? entry.revision : entry.revision - 1);
    if (entry.status !== "revising" && entry.revision > from) return c.redirect(`/portal/entries/${id}/diff?from=${from}&to=${entry.revision}&done=revised`, 303);
    return page(
      c,
      <ProgressPage
        assets={c.var.assets}
        viewer={c.var.viewer}
        entry={{ id, subject: entry.subject, status: entry.status }}
        from={from}
        progress={entry.progress}
        statusUrl={`/portal/entries/${id}/status?from=${from}`}
      />,
    );
  });

  // The progress page's poll: answered from the version column alone while nothing moved.
  app.get("/entries/:id/status", async (c) => {
    const id = entryId(c);
    if (!id) throw new ApiError(404, "entry_not_found", "No such entry");
    const keyId = c.var.session.key.id;
    c.header("cache-control", "private, no-cache");
    const ifNoneMatch = c.req.header("if-none-match");
    if (ifNoneMatch) {
      const current = await c.var.deps.polls.version(id, keyId);
      if (current && ifNoneMatchHits(ifNoneMatch, statusEtag(current))) {
        c.header("etag", statusEtag(current));
        return c.body(null, 304);
      }
    }
    const entry = await findEntry(c.var.deps.db, id, keyId);
    if (!entry) return c.json({ error: { code: "entry_not_found", message: "No such entry" } }, 404);
    const from = positiveInt(c.req.query("from")) ?? entry.revision;
    c.header("etag", statusEtag(entry));
    return c.json({
      status: entry.status,
      revision: entry.revision,
      step: entry.progress.step,
      progress: entry.progress.progress,
      sections: entry.progress.sections,
      // Where to go once the revision is back (the progress page sends on to the diff).
      next: entry.status === "revising" ? null : `/portal/entries/${id}/progress?from=${from}`,
    });
  });

  // ---- History and diffs ----
  app.get("/entries/:id/history", async (c) => {
    const id = entryId(c);
    if (!id) return entryNotFound(c);
    const { db } = c.var.deps;
    const keyId = c.var.session.key.id;
    const [entry, revisions, audit] = await Promise.all([findEntry(db, id, keyId), listRevisions(db, id, keyId), auditFor(db, id, keyId)]);
    if (!entry || !revisions || !audit) return entryNotFound(c);
    return page(c, <HistoryPage assets={c.var.assets} viewer={c.var.viewer} entry={entry} revisions={revisions} audit={audit} />);
  });

  app.get("/entries/:id/diff", async (c) => {
    const id = entryId(c);
    if (!id) return entryNotFound(c);
    const from = positiveInt(c.req.query("from"));
    const to = positiveInt(c.req.query("to"));
    if (from === undefined || to === undefined) {
      return problem(c, 422, { viewer: c.var.viewer, title: "Choose two revisions", message: "from and to must be revision numbers.", back: { href: `/portal/entries/${id}/history`, label: "Back to the history" } });
    }
    const { db } = c.var.deps;
    const keyId = c.var.session.key.id;
    const [entry, diff] = await Promise.all([findEntry(db, id, keyId), diffRevisions(db, id, keyId, from, to)]);
    if (!entry) return entryNotFound(c);
    if (!diff) {
      return problem(c, 404, { viewer: c.var.viewer, title: "No such revision", message: `The entry has revisions 1 to ${entry.revision}.`, back: { href: `/portal/entries/${id}/history`, label: "Back to the history" } });
    }
    const decideHref = to === entry.revision && isFinished(entry.status) ? `/portal/entries/${id}` : undefined;
    return page(c, <DiffPage assets={c.var.assets} viewer={c.var.viewer} entry={entry} diff={diff} decideHref={decideHref} done={c.req.query("done")} />);
  });

  app.all("*", (c) => problem(c, 404, { viewer: c.var.viewer, title: "Not found", message: "The portal has no such page.", back: { href: "/portal/queue", label: "Back to the queue" } }));
  return app;
}
