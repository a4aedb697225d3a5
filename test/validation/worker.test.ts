// The same validators in workerd (the Cloudflare Workers runtime, through Miniflare) and in Node must
// give the same results on the same inputs. The suite is bundled with esbuild, as wrangler does.
import path from "node:path";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixMarkdown, lintMarkdown, type LintReport } from "../../shared/validation/index.ts";
import { fixture, fixturesDir, oneSection } from "./helpers.ts";

const root = path.resolve(fixturesDir, "../../..");

const WORKER = `
import { lintMarkdown, fixMarkdown } from "./shared/validation/index.ts";
export default {
  async fetch(request) {
    const { markdown, tier, fix } = await request.json();
    if (fix) return Response.json(fixMarkdown(markdown, { tier }));
    return Response.json(await lintMarkdown(markdown, { tier, place: "edge" }));
  },
};`;

const INPUTS: [string, string, ("S" | "A" | "B")?][] = [
  ["theosis exemplar", fixture("theosis.md")],
  ["holy trinity exemplar, tier S", fixture("holy-trinity.md"), "S"],
  [
    "every rule firing",
    `${oneSection(
      "Grace — not nature — saves, as we delve into John 1:1–14 and Hezekiah 3:4 and Revelation 22:22.",
      "St. Basil the Great, *The Ladder of Divine Ascent* 3, is cited. St. Athanasius, *Book of Wonders* 2, too. St. Athanasius attended the Council of Chalcedon.",
      "The Holy Spirit proceeds from the Father and the Son. The Theotokos was conceived without original sin.",
      "The Son of God, the Son of God is 2076353545 and 56710 in the Word.",
      "The Fathers teach that the human person is created according to the image of God and called to grow into his likeness.",
      "The Fathers teach that the human person is created according to the image of God and called to grow into his likeness.",
      "This paragraph stops in the",
    )}\n## III. Misnumbered\n\n    Spaces. Psalm 82:6 (LXX 80:6).\n`,
  ],
];

let mf: Miniflare;

async function inWorker(body: unknown): Promise<unknown> {
  const res = await mf.dispatchFetch("http://worker/", { method: "POST", body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`worker answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Everything but the clock. */
const comparable = (r: LintReport) => ({ ...r, timings: Object.keys(r.timings).sort(), byRule: Object.fromEntries(Object.entries(r.byRule).map(([k, v]) => [k, { ...v, ms: 0 }])) });

describe("validators in the Worker runtime and in Node", () => {
  beforeAll(async () => {
    const bundle = await build({
      stdin: { contents: WORKER, resolveDir: root, sourcefile: "lint-worker.ts", loader: "ts" },
      bundle: true,
      format: "esm",
      platform: "neutral",
      mainFields: ["module", "main"],
      write: false,
      minify: true,
    });
    mf = new Miniflare({ modules: true, script: bundle.outputFiles[0]!.text, compatibilityDate: "2026-04-20" });
    await mf.ready;
  });
  afterAll(async () => {
    await mf?.dispose();
  });

  it.each(INPUTS)("lints %s identically", async (_name, markdown, tier) => {
    const node = await lintMarkdown(markdown, { tier, place: "edge" });
    const worker = (await inWorker({ markdown, tier })) as LintReport;
    expect(comparable(worker)).toEqual(comparable(JSON.parse(JSON.stringify(node))));
  });

  it("fires every public rule family in the Worker too", async () => {
    const worker = (await inWorker({ markdown: INPUTS[2]![1] })) as LintReport;
    const families = new Set(worker.issues.map((i) => (i.rule.startsWith("doctrine/") ? "doctrine" : i.rule)));
    expect([...families].sort()).toEqual([
      "doctrine",
      "patristic/anachronism",
      "patristic/misattribution",
      "patristic/unknown-work",
      "scripture/invalid-reference",
      "scripture/unknown-book",
      "structure/repetition",
      "structure/truncated",
      "structure/word-count",
      "style/banned-phrase",
      "style/em-dash",
      "style/garbled",
      "style/heading-structure",
      "style/paragraph-indent",
    ]);
  });

  it("fixes identically", async () => {
    const markdown = INPUTS[2]![1];
    expect(await inWorker({ markdown, fix: true })).toEqual(JSON.parse(JSON.stringify(fixMarkdown(markdown))));
  });
});
