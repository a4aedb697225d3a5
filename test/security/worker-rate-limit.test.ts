// On Workers the per-key limit goes through Cloudflare's Rate Limiting binding when wrangler.toml
// declares it, so every isolate of a location counts against the same budget.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../edge/auth.ts";
import { newSigningSecret } from "../../shared/api/signing.ts";
import { repoRoot } from "../support/paths.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

describe("the Workers rate-limit binding", () => {
  let worker: TestWorker;
  beforeAll(async () => {
    worker = await startTestWorker({ OPUS_NODE_SECRET: newSigningSecret() }, { rateLimit: { limit: 4, period: 60 } });
  });
  afterAll(() => worker?.close());

  const get = (key: string) => fetch(`${worker.url}/v1/entries`, { headers: { authorization: `Bearer ${key}` } });

  it("refuses a key past the binding's limit with 429 and Retry-After, and leaves other keys alone", async () => {
    const busy = (await createApiKey(worker.db, "busy")).key;
    const calm = (await createApiKey(worker.db, "calm")).key;
    // The binding counts in fixed 60 s windows: start well inside one, so the counts cannot reset midway.
    const intoWindow = Date.now() % 60_000;
    if (intoWindow > 50_000) await new Promise((r) => setTimeout(r, 60_000 - intoWindow + 100));
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await get(busy);
      statuses.push(last.status);
    }
    // The binding counts in place of the isolate's own bucket (OPUS_RATE_LIMIT, 6000 by default).
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const body = (await last!.json()) as { error: { code: string } };
    expect(body.error.code).toBe("rate_limited");
    expect(last!.headers.get("retry-after")).toBe("60");
    expect((await get(calm)).status).toBe(200);
  });

  it("is declared in wrangler.toml under the name the Worker reads", () => {
    const toml = readFileSync(path.join(repoRoot, "wrangler.toml"), "utf8");
    expect(toml).toMatch(/\[\[ratelimits\]\]\s*\nname = "OPUS_RATE_LIMITER"/);
  });
});
