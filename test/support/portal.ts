// Helpers for the review portal's tests: finished entries put on an edge the way a GPU node reports
// them, and an HTTP client that keeps the session cookie and sends forms as a browser does.
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { client, sendNodeEvent, type EdgeTarget } from "./edge-targets.ts";
import type { ReviewEntry } from "./review-entries.ts";

/** Submits an entry with `key` and finishes it with `entry`'s text, as a node would. */
export async function finishedEntry(
  target: EdgeTarget,
  key: string,
  entry: ReviewEntry,
  opts: { subject?: string; tier?: "S" | "A" | "B"; category?: string; status?: "needs_review" | "succeeded" } = {},
): Promise<string> {
  const api = client(target, key);
  const created = await api("POST", "/v1/entries", { subject: opts.subject ?? entry.title, tier: opts.tier ?? "S", category: opts.category ?? "Theology" });
  if (created.status !== 202) throw new Error(`creating the entry answered ${created.status}: ${created.text}`);
  const status = opts.status ?? "needs_review";
  const event: NodeEvent = {
    type: "finished",
    seq: 1,
    status,
    step: status === "succeeded" ? "finished" : "needs review",
    progress: 1,
    words: entry.words,
    sections: { done: entry.sections.length, total: entry.sections.length },
    tokens: 100,
    eta_seconds: 0,
    entry: { title: entry.title, markdown: entry.markdown, sections: entry.sections, words: entry.words, metadata: entry.metadata },
  };
  const sent = await sendNodeEvent(target, created.json.id, event);
  if (!sent.json?.applied) throw new Error(`the finished event was not applied: ${JSON.stringify(sent.json)}`);
  return created.json.id as string;
}

export type PortalResponse = { status: number; headers: Headers; text: string; location: string | null };

/** A browser-like client of the portal: one cookie jar, same-origin forms, redirects not followed. */
export function portalClient(baseUrl: string) {
  let cookie = "";
  const request = async (method: string, route: string, init: { form?: Record<string, string | string[]>; headers?: Record<string, string>; body?: string } = {}): Promise<PortalResponse> => {
    const headers: Record<string, string> = { ...(cookie ? { cookie } : {}), ...init.headers };
    let body: string | undefined = init.body;
    if (init.form) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const one of Array.isArray(v) ? v : [v]) params.append(k, one);
      body = params.toString();
      headers["content-type"] ??= "application/x-www-form-urlencoded";
      headers.origin ??= baseUrl;
    }
    const res = await fetch(`${baseUrl}${route}`, { method, headers, body, redirect: "manual" });
    const set = res.headers.get("set-cookie");
    if (set) {
      const [pair] = set.split(";");
      cookie = /=$/.test(pair!) || /max-age=0/i.test(set) ? "" : pair!;
    }
    return { status: res.status, headers: res.headers, text: await res.text(), location: res.headers.get("location") };
  };
  return {
    get: (route: string, headers?: Record<string, string>) => request("GET", route, { headers }),
    post: (route: string, form: Record<string, string | string[]>, headers?: Record<string, string>) => request("POST", route, { form, headers }),
    raw: request,
    get cookie() {
      return cookie;
    },
    set cookie(value: string) {
      cookie = value;
    },
    async signIn(key: string): Promise<PortalResponse> {
      return request("POST", "/portal/sign-in", { form: { key } });
    },
  };
}
export type PortalClient = ReturnType<typeof portalClient>;

/** The per-session CSRF token of the first form on a page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error("no CSRF field on the page");
  return match[1]!;
}

/** Every value of `attribute` on elements matching a simple `tag.class` opening-tag pattern. */
export function countMatches(html: string, pattern: RegExp): number {
  return [...html.matchAll(new RegExp(pattern.source, pattern.flags.includes("g") ? pattern.flags : `${pattern.flags}g`))].length;
}
