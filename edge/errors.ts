// One error shape everywhere, the GPU node's too (shared/api/errors.ts): {error: {code, message,
// fields?}}. Nothing internal leaks out.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { errorBody, fieldErrors, type FieldError, type IssueList } from "../shared/api/errors.ts";

export { errorBody, fieldErrors, type FieldError };

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly fields?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

/** An id from the request, as echoed in error messages: never more than 64 characters of it. */
export const shownId = (id: string) => (id.length > 64 ? `${id.slice(0, 64)}...` : id);

/** The hook given to every zValidator: invalid input becomes a 422 naming the fields. */
export function validationHook(result: { success: true } | { success: false; error: IssueList }, c: Context) {
  if (!result.success) {
    const fields = fieldErrors(result.error);
    return c.json(errorBody("invalid_request", `Invalid ${fields.map((f) => f.field).join(", ")}`, fields), 422);
  }
  return undefined;
}

export function onError(err: Error, c: Context) {
  if (err instanceof ApiError) {
    if (err.headers) for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
    return c.json(errorBody(err.code, err.message, err.fields), err.status);
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = status === 413 ? "payload_too_large" : status === 400 ? "bad_request" : "http_error";
    const message = status === 400 && /JSON/i.test(err.message) ? "Malformed JSON in request body" : err.message || "Request failed";
    return c.json(errorBody(code, message), status);
  }
  console.error("unhandled error", err);
  return c.json(errorBody("internal_error", "Internal error"), 500);
}

export function notFound(c: Context) {
  return c.json(errorBody("not_found", `No route for ${c.req.method} ${new URL(c.req.url).pathname}`), 404);
}
