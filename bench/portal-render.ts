// The review portal's entry page for a long entry: server render time (median, p99) and page size.
// The entry is built from the golden corpus, repeated past 13,000 words, with real faults put in
// (em dashes, banned phrases, repeated passages) and the edge's real lint report over it: hundreds of
// issues, each marked at its span. Measured three ways:
//   - render: the page from the revision's report as the portal caches it (what every view after the
//     first costs the server), in process;
//   - first view: the same plus linting the revision (what the first view of a new revision costs);
//   - HTTP: GET /portal/entries/:id with a session, end to end on the Node edge, and on the Worker
//     bundle under Miniflare when dist/worker is built (`npm run build:worker`).
// Page size is reported raw and compressed (gzip, brotli: what a browser receives from Workers).
import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { brotliCompressSync, gzipSync } from "node:zlib";
import { newSigningSecret } from "../shared/api/signing.ts";
import { createApiKey } from "../edge/auth.ts";
import { startEdge } from "../edge/node.ts";
import { portalAssets } from "../edge/portal/assets/serve.ts";
import { entryPageProps } from "../edge/portal/entry-data.ts";
import { EntryPage } from "../edge/portal/pages/entry.tsx";
import { shownReport } from "../edge/portal/report.ts";
import { finishedEntry, portalClient } from "../test/support/portal.ts";
import { goldenFiles, goldenReviewEntry } from "../test/support/review-entries.ts";
import { startTestWorker, workerBundle } from "../test/support/worker.ts";
import type { EdgeTarget } from "../test/support/edge-targets.ts";
import { percentile, report, type Row } from "./report.ts";

const runs = Number(process.env.BENCH_RUNS ?? 40);
const firstViewRuns = Number(process.env.BENCH_FIRST_VIEW_RUNS ?? 10);
const httpRuns = Number(process.env.BENCH_HTTP_RUNS ?? 30);

const entry = goldenReviewEntry({ title: "Theosis", files: goldenFiles, minWords: 13_000, flaws: true, flawEvery: 1 });
const secret = newSigningSecret();

async function time(n: number, work: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await work(i);
    samples.push(performance.now() - start);
  }
  return samples;
}

const row = (what: string, samples: number[], extra: Row = {}): Row => ({
  what,
  runs: samples.length,
  median_ms: Math.round(percentile(samples, 50) * 100) / 100,
  p99_ms: Math.round(percentile(samples, 99) * 100) / 100,
  ...extra,
});

async function httpRow(what: string, baseUrl: string, key: string, target: EdgeTarget): Promise<{ row: Row; html: string }> {
  const id = await finishedEntry(target, key, entry, { subject: "Theosis", tier: "S" });
  const browser = portalClient(baseUrl);
  await browser.signIn(key);
  // The first view lints the revision; every later one reads the cached report.
  const first = await time(1, () => browser.get(`/portal/entries/${id}`));
  let html = "";
  const samples = await time(httpRuns, async () => {
    const res = await browser.get(`/portal/entries/${id}`);
    if (res.status !== 200) throw new Error(`${what}: ${res.status}`);
    html = res.text;
  });
  return { row: row(what, samples, { first_view_ms: Math.round(first[0]!) }), html };
}

const rows: Row[] = [];
const dir = mkdtempSync(path.join(os.tmpdir(), "opus-bench-portal-"));
const edge = await startEdge({ OPUS_DB_URL: `file:${path.join(dir, "edge.db")}`, OPUS_NODE_SECRET: secret, OPUS_RATE_LIMIT: "0" }, { port: 0 });
const nodeTarget: EdgeTarget = { name: "node", url: edge.url, db: edge.db, secret, runScheduled: async () => void (await edge.runScheduled()), close: edge.close };
const key = await createApiKey(edge.db, "bench", ["submit", "read", "review"]);

// In process: the page from the stored revision.
const id = await finishedEntry(nodeTarget, key.key, entry, { subject: "Theosis", tier: "S" });
const assets = await portalAssets();
const viewer = { name: "bench", csrf: "x".repeat(43) };
const renderOnce = async () => {
  const props = await entryPageProps(edge.db, id, key.id, "current");
  if (typeof props === "string") throw new Error(props);
  return String(await (EntryPage({ assets, viewer, ...props }) as unknown as { toString(): string | Promise<string> }).toString());
};
const html = await renderOnce();
const props = await entryPageProps(edge.db, id, key.id, "current");
if (typeof props === "string") throw new Error(props);
const issues = props.report.issues.length;
await time(5, renderOnce); // warm-up
rows.push(row("render (report cached)", await time(runs, renderOnce)));
// A revision seen for the first time adds parsing and linting it (a fresh cache key each run).
rows.push(
  row(
    "first view adds: parse + lint",
    await time(firstViewRuns, (i) => shownReport({ key: `bench-${i}`, markdown: entry.markdown, tier: "S", metadata: entry.metadata, handEdited: false })),
  ),
);

const nodeHttp = await httpRow("HTTP GET, Node edge", edge.url, key.key, nodeTarget);
rows.push(nodeHttp.row);

if (existsSync(workerBundle)) {
  const worker = await startTestWorker({ OPUS_NODE_SECRET: secret, OPUS_RATE_LIMIT: "0" });
  try {
    const workerTarget: EdgeTarget = { name: "worker", url: worker.url, db: worker.db, secret, runScheduled: worker.scheduled, close: worker.close };
    const workerKey = await createApiKey(worker.db, "bench", ["submit", "read", "review"]);
    rows.push((await httpRow("HTTP GET, Worker (Miniflare)", worker.url, workerKey.key, workerTarget)).row);
  } finally {
    await worker.close();
  }
} else {
  console.log(`(no Worker bundle at ${workerBundle}: run \`npm run build:worker\` to measure the Worker too)`);
}
await edge.close();

const bytes = Buffer.byteLength(html);
report("portal-render", rows, {
  words: entry.words,
  sections: entry.sections.length,
  issues,
  html_bytes: bytes,
  gzip_bytes: gzipSync(html).length,
  brotli_bytes: brotliCompressSync(html).length,
  http_html_bytes: Buffer.byteLength(nodeHttp.html),
});
