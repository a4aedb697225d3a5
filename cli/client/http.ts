// The HTTP client of the `opus` commands: bearer key, JSON bodies, and every way a request can go
// wrong turned into one message that names the fix (see `describeFailure`).
import type { Connection } from "./connection.ts";

export type FieldError = { field: string; message: string };

export type ClientErrorInfo = {
  /** HTTP status; undefined when no answer came (unreachable, timed out). */
  status?: number;
  /** The edge's error code (`entry_not_found`...), when it sent its error body. */
  code?: string;
  fields?: FieldError[];
  /** Seconds from Retry-After on a 429 or 503. */
  retryAfterS?: number;
  /** Worth trying again as is: no answer, 429, or a 5xx. */
  transient: boolean;
};

export class ClientError extends Error {
  constructor(
    message: string,
    readonly info: ClientErrorInfo,
  ) {
    super(message);
  }
}

type RequestOptions = {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  headers?: Record<string, string>;
};

const requestTimeoutMs = 30_000;

/** What to look at next when the edge did not know an id, by the edge's error code. */
const listHints: Record<string, string> = {
  entry_not_found: "check the id; `opus list` shows this key's entries",
  webhook_not_found: "check the id; `opus webhooks list` shows this key's endpoints",
  delivery_not_found: "check the id; `opus webhooks deliveries` lists this key's deliveries",
};

function retryAfterSeconds(value: string | null): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** One message for a refused request, naming what to change. */
export function describeFailure(conn: Connection, method: string, route: string, status: number, body: string, retryAfter: string | null): ClientError {
  let error: { code?: string; message?: string; fields?: FieldError[] } | undefined;
  try {
    const parsed = JSON.parse(body) as { error?: unknown };
    if (parsed && typeof parsed.error === "object" && parsed.error !== null) error = parsed.error as typeof error;
  } catch {
    error = undefined;
  }
  const path = route.split("?")[0];
  const retryAfterS = retryAfterSeconds(retryAfter);
  const info: ClientErrorInfo = { status, code: error?.code, fields: error?.fields, retryAfterS, transient: status === 429 || status >= 500 };
  const said = error?.message ? `: ${error.message}` : "";
  const tag = `HTTP ${status}${error?.code ? ` ${error.code}` : ""}`;
  if (!error) {
    const hint = `is ${conn.edgeFrom} (${conn.base}) the edge's base URL, such as https://opus.example.workers.dev?`;
    return new ClientError(`the server answered ${method} ${path} with HTTP ${status} and no Opus error: ${hint}`, info);
  }
  switch (status) {
    case 401:
      return new ClientError(
        `the edge refused the API key from ${conn.keyFrom} (${tag}${said}): pass a valid key with --key or OPUS_API_KEY, or run \`opus login\` again; an operator creates keys with \`opus keys create\``,
        info,
      );
    case 403: {
      const scope = /"([a-z]+)" scope/.exec(error.message ?? "")?.[1];
      const fix = scope ? `use a key with the "${scope}" scope (\`opus keys create --scopes ${scope}\`)` : "use a key with more scopes";
      return new ClientError(`this API key may not do that (${tag}${said}): ${fix}`, info);
    }
    case 404: {
      const hint = error.code ? listHints[error.code] : undefined;
      if (hint) return new ClientError(`${error.message} (${tag}): ${hint}`, info);
      // Anything but the edge's "no such route" is about what was asked for: its own words say it.
      if (error.code !== "not_found") return new ClientError(`${error.message ?? "not found"} (${tag})`, info);
      return new ClientError(
        `the edge at ${conn.base} has no route ${method} ${path} (${tag}): is ${conn.edgeFrom} the edge's base URL, and is the edge as new as this client?`,
        info,
      );
    }
    case 422: {
      const fields = (error.fields ?? []).map((f) => `${f.field}: ${f.message}`).join("; ");
      return new ClientError(`the edge refused the request (${tag}): ${fields || error.message}`, info);
    }
    case 429:
      return new ClientError(`the edge is rate-limiting this API key (${tag}): retry in ${retryAfterS ?? "a few"} s`, info);
    default:
      if (status >= 500) return new ClientError(`the edge failed (${tag}${said}); try again, and if it persists its operator will find the cause in the edge's log`, info);
      return new ClientError(`${error.message ?? "request refused"} (${tag})`, info);
  }
}

function unreachable(conn: Connection, error: unknown): ClientError {
  const e = error as Error & { cause?: { code?: string; name?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") {
    return new ClientError(`the edge at ${conn.base} did not answer within ${requestTimeoutMs / 1000} s: is it overloaded or stuck? try again`, { transient: true });
  }
  const why = e.cause?.code ?? (e.cause?.message || e.message);
  return new ClientError(
    `cannot reach the edge at ${conn.base} (${why}): is it running, and is ${conn.edgeFrom} right? (\`opus serve edge\` runs one locally)`,
    { transient: true },
  );
}

/** Path segment for an id the user typed: it can never change the route. */
export const segment = (id: string) => encodeURIComponent(id);

export class EdgeClient {
  constructor(readonly conn: Connection) {}

  /** Sends one request; answers 2xx and 304, throws a ClientError for anything else. */
  async send(method: string, route: string, opts: RequestOptions = {}): Promise<Response> {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) query.set(k, String(v));
    const target = `${this.conn.base}${route}${query.size ? `?${query}` : ""}`;
    let res: Response;
    try {
      res = await fetch(target, {
        method,
        headers: {
          authorization: `Bearer ${this.conn.key}`,
          ...(opts.body !== undefined ? { "content-type": "application/json" } : {}),
          ...opts.headers,
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        redirect: "manual",
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      throw unreachable(this.conn, error);
    }
    if ((res.status >= 200 && res.status < 300) || res.status === 304) return res;
    const body = await res.text().catch(() => "");
    throw describeFailure(this.conn, method, route, res.status, body, res.headers.get("retry-after"));
  }

  async json<T>(method: string, route: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.send(method, route, { ...opts, headers: { accept: "application/json", ...opts.headers } });
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ClientError(`the server answered ${method} ${route.split("?")[0]} with something that is not JSON: is ${this.conn.edgeFrom} (${this.conn.base}) the edge's base URL?`, {
        status: res.status,
        transient: false,
      });
    }
  }

  /** Every item of a paged list, following `next_cursor` until the last page or `max` items. */
  async all<T>(route: string, query: Record<string, string | number | undefined>, max = Infinity): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.json<{ data: T[]; next_cursor?: string | null }>("GET", route, { query: { ...query, limit: Math.min(100, max - items.length), cursor } });
      items.push(...page.data.slice(0, max - items.length));
      cursor = page.next_cursor ?? undefined;
    } while (cursor && items.length < max);
    return items;
  }
}
