// POST /v1/embed and POST /v1/search on the GPU node. The node mounts these behind its request
// signature check; errors have the one shape both servers answer with (shared/api/errors.ts).
import { Hono, type Context } from "hono";
import { z } from "zod";
import { errorBody as error, fieldErrors } from "../../shared/api/errors.ts";
import type { KnowledgeBase } from "./knowledge-base.ts";
import { EmbedderMismatchError } from "./vector-index.ts";

export const EmbedRequest = z.object({
  texts: z.array(z.string().max(100_000, "each text must be at most 100,000 characters")).min(1, "texts must hold at least one text").max(256, "at most 256 texts per request"),
});

export const SearchRequest = z.object({
  query: z.string().trim().min(1, "query must not be empty").max(20_000),
  k: z.number().int().min(1).max(100).default(8),
  /** Document ids to leave out of the results. */
  exclude: z.array(z.string()).max(1000).optional(),
  kinds: z.array(z.enum(["golden", "entry", "user"])).min(1).optional(),
  /** The embedder the caller expects; a different one on the node is refused (409). */
  embedder: z.string().optional(),
});

async function body<T>(c: Context, schema: z.ZodType<T>): Promise<{ ok: true; value: T } | { ok: false; response: Response }> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    return { ok: false, response: c.json(error("bad_request", "Malformed JSON in request body"), 400) };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const fields = fieldErrors(parsed.error);
  return { ok: false, response: c.json(error("invalid_request", `Invalid ${fields.map((f) => f.field).join(", ")}`, fields), 422) };
}

export function knowledgeRoutes(kb: KnowledgeBase): Hono {
  const app = new Hono();

  app.post("/v1/embed", async (c) => {
    const parsed = await body(c, EmbedRequest);
    if (!parsed.ok) return parsed.response;
    const vectors = await kb.embed(parsed.value.texts);
    return c.json({ embedder: kb.embedder.id, dimensions: kb.embedder.dimensions, vectors: vectors.map((v) => Array.from(v)) });
  });

  app.post("/v1/search", async (c) => {
    const parsed = await body(c, SearchRequest);
    if (!parsed.ok) return parsed.response;
    const { query, k, exclude, kinds, embedder } = parsed.value;
    try {
      if (embedder !== undefined && embedder !== kb.embedder.id) {
        throw new EmbedderMismatchError({ id: kb.embedder.id, dimensions: kb.embedder.dimensions }, { id: embedder }, "on this node");
      }
      const passages = await kb.search(query, k, { ...(exclude ? { exclude } : {}), ...(kinds ? { kinds } : {}) });
      return c.json({ embedder: kb.embedder.id, passages });
    } catch (e) {
      if (e instanceof EmbedderMismatchError) return c.json(error("embedder_mismatch", e.message), 409);
      throw e;
    }
  });

  return app;
}
