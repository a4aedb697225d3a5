// A paragraph's text and its step-log row are written together or not at all: the resume logic
// trusts the draft for what is written and the log for what ran, so they must never disagree.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openNodeDb, type NodeDb } from "../../gpu-node/db/client.ts";
import { CheckpointStore, type StepEntry } from "../../gpu-node/pipeline/checkpoints.ts";
import { newDraft } from "../../gpu-node/pipeline/draft.ts";

const job = { id: "ent_checkpoints", subject: "Holy Icons", tier: "B" as const, category: "Theology", callback_url: "http://127.0.0.1:1/unused" };

describe("checkpoint commits", () => {
  let db: NodeDb;
  afterAll(() => db?.$client.close());

  it("saves the draft and logs its step in one transaction", async () => {
    db = await openNodeDb(path.join(mkdtempSync(path.join(os.tmpdir(), "opus-checkpoints-")), "node.db"));
    const store = new CheckpointStore(db);
    await store.open(job);
    const draft = newDraft(7);
    draft.sections = [{ paragraphs: ["First paragraph."], expansions: 0 }];

    expect(await store.commitStep(job.id, draft, { key: "s0/p0", kind: "paragraph", tokens: 12 })).toBe(true);
    expect((await store.find(job.id))!.draft!.sections[0]!.paragraphs).toEqual(["First paragraph."]);
    expect((await store.steps(job.id)).map((s) => s.key)).toEqual(["s0/p0"]);

    // The same key again: the step is not logged twice.
    expect(await store.commitStep(job.id, draft, { key: "s0/p0", kind: "paragraph" })).toBe(false);

    // A step row the database refuses takes the draft update down with it.
    draft.sections[0]!.paragraphs.push("Second paragraph.");
    const refused = { key: "s0/p1", kind: null } as unknown as StepEntry;
    await expect(store.commitStep(job.id, draft, refused)).rejects.toThrow();
    expect((await store.find(job.id))!.draft!.sections[0]!.paragraphs).toEqual(["First paragraph."]);
    expect((await store.steps(job.id)).map((s) => s.key)).toEqual(["s0/p0"]);
  });
});
