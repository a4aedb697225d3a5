// Per-key rate limits. Over the limit a request gets 429 with Retry-After.
// - On Workers with the OPUS_RATE_LIMITER binding (wrangler.toml `[[ratelimits]]`), Cloudflare's
//   Rate Limiting API counts each key across all isolates of a location, with the binding's own
//   limit and period.
// - Otherwise a token bucket per key (capacity = the per-minute limit, refilled continuously) in
//   memory: per process on Node, per isolate on Workers, where it is then only approximate.
import type { MiddlewareHandler } from "hono";
import type { EdgeEnv } from "./context.ts";
import { ApiError } from "./errors.ts";

type Bucket = { tokens: number; at: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly perMinute: number) {}

  /** Takes one token for `key`: 0 when allowed, else the seconds until a token is available. */
  take(key: string, now = Date.now()): { retryAfter: number; remaining: number } {
    const ratePerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * ratePerMs);
    bucket.at = now;
    // Re-insert so the Map stays in least-recently-used order for eviction.
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > 10_000) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { retryAfter: 0, remaining: Math.floor(bucket.tokens) };
    }
    return { retryAfter: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)), remaining: 0 };
  }
}

const limiters = new Map<number, RateLimiter>();

/** Seconds a caller refused by the Workers binding waits: at most one period of its window. */
const bindingRetryAfterS = 60;

const refuse = (retryAfter: number, limit: string) =>
  new ApiError(429, "rate_limited", `Too many requests for this API key${limit}; retry in ${retryAfter} s`, undefined, { "retry-after": String(retryAfter) });

/** After `requireKey`: counts the request against the caller's key. */
export function rateLimit(): MiddlewareHandler<EdgeEnv> {
  return async (c, next) => {
    const { config, rateLimiter } = c.get("deps"); // c.get: c.var would copy every variable per request
    const perMinute = config.rateLimitPerMinute;
    if (perMinute > 0 && rateLimiter) {
      const { success } = await rateLimiter.limit({ key: c.get("apiKey").id });
      if (!success) throw refuse(bindingRetryAfterS, "");
    } else if (perMinute > 0) {
      let limiter = limiters.get(perMinute);
      if (!limiter) limiters.set(perMinute, (limiter = new RateLimiter(perMinute)));
      const { retryAfter, remaining } = limiter.take(c.get("apiKey").id);
      c.header("ratelimit-limit", String(perMinute));
      c.header("ratelimit-remaining", String(remaining));
      if (retryAfter > 0) throw refuse(retryAfter, ` (limit ${perMinute} per minute)`);
    }
    await next();
  };
}
