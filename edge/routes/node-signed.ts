// Requests from GPU nodes are signed with the shared node secret (shared/api/signing.ts): read the
// raw body, verify it, then parse and validate it as JSON.
import type { z } from "zod";
import { verifySignature } from "../../shared/api/signing.ts";
import type { EdgeContext } from "../context.ts";
import { ApiError, fieldErrors } from "../errors.ts";

export async function signedBody<T>(c: EdgeContext, schema: z.ZodType<T>, what: string): Promise<T> {
  const body = await c.req.text();
  if (!verifySignature(c.var.deps.config.nodeSecret, body, c.req.raw.headers)) {
    throw new ApiError(401, "bad_signature", "Missing or invalid request signature");
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new ApiError(400, "bad_request", "Malformed JSON in request body");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ApiError(422, "invalid_request", `Invalid ${what}`, fieldErrors(parsed.error));
  return parsed.data;
}
