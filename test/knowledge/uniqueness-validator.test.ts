// uniqueness/near-duplicate run by the validation pipeline at the GPU node.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ValidationPipeline } from "../../shared/validation/pipeline.ts";
import { openNodeDb, type NodeDb } from "../../gpu-node/db/client.ts";
import { defaultGoldenDir } from "../../gpu-node/knowledge/corpus.ts";
import { createKnowledgeBase, type KnowledgeBase } from "../../gpu-node/knowledge/knowledge-base.ts";
import { createUniquenessValidator, UNIQUENESS_RULE } from "../../gpu-node/knowledge/uniqueness-validator.ts";

const root = mkdtempSync(path.join(os.tmpdir(), "opus-kb-validator-"));
let db: NodeDb;
let kb: KnowledgeBase;

beforeAll(async () => {
  db = await openNodeDb(":memory:");
  kb = await createKnowledgeBase({ db, dir: root });
});

afterAll(async () => {
  await kb.close();
  db.$client.close();
  rmSync(root, { recursive: true, force: true });
});

describe(UNIQUENESS_RULE, () => {
  const theotokos = readFileSync(path.join(defaultGoldenDir(), "theotokos.md"), "utf8");
  const copiedParagraph = theotokos.split("\n").find((l) => l.includes("The dispute arose in 428"))!;
  const markdown = `# The Council of Ephesus\n\n## I. The Dispute\n\n${copiedParagraph}\n`;

  it("reports copied passages as errors on the copied span, at the GPU node only", async () => {
    const pipeline = new ValidationPipeline([createUniquenessValidator(kb)]);
    const report = await pipeline.run(markdown, { place: "gpu" });
    const issues = report.issues.filter((i) => i.rule === UNIQUENESS_RULE);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.severity).toBe("error");
    expect(issues[0]!.dimension).toBe("uniqueness");
    expect(issues[0]!.message).toMatch(/copied verbatim from "Theotokos"/);
    expect(markdown.slice(issues[0]!.start, issues[0]!.end)).toContain("Nestorius, the new archbishop of Constantinople");
    expect(issues[0]!.line).toBe(5);
    expect(report.passed).toBe(false);

    const atEdge = await pipeline.run(markdown, { place: "edge" });
    expect(atEdge.issues.filter((i) => i.rule === UNIQUENESS_RULE)).toEqual([]);
  });

  it("takes the entry's own id to exclude, and threshold options from the configuration", async () => {
    await kb.addDocument({ id: "entry/ephesus", markdown, kind: "entry" });
    const excluded = new ValidationPipeline([createUniquenessValidator(kb, { excludeDocument: "entry/ephesus" })]);
    const report = await excluded.run(markdown, { place: "gpu" });
    // Still a copy of the golden entry, but no longer of itself.
    expect(report.issues.filter((i) => i.rule === UNIQUENESS_RULE).map((i) => i.message)).toEqual([expect.stringContaining('"Theotokos"')]);

    const lenient = await excluded.run(markdown, { place: "gpu", config: { rules: { [UNIQUENESS_RULE]: { options: { verbatimMinWords: 100_000, semanticSimilarity: 1.01 } } } } });
    expect(lenient.issues.filter((i) => i.rule === UNIQUENESS_RULE)).toEqual([]);

    const broken = excluded.run(markdown, { place: "gpu", config: { rules: { [UNIQUENESS_RULE]: { options: { verbatimMinWords: "many" } } } } });
    await expect(broken).rejects.toThrow(/verbatimMinWords must be a number/);
    await kb.removeDocument("entry/ephesus");
  });
});
