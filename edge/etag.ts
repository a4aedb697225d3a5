// Conditional requests: If-None-Match compares entity tags weakly (RFC 9110, section 13.1.2), so
// `W/"x"` and `"x"` match each other; the header may list several tags, or be `*`.

/** Entity tags in a header value, by their opaque part (a comma may sit inside the quotes). */
const entityTag = /(?:W\/)?("[^"]*")/g;

/** True when `header` (an If-None-Match value) matches `etag` under the weak comparison. */
export function ifNoneMatchHits(header: string, etag: string): boolean {
  if (header.trim() === "*") return true;
  const wanted = etag.trim().replace(/^W\//, "");
  for (const [, opaque] of header.matchAll(entityTag)) if (opaque === wanted) return true;
  return false;
}
