// The edge's store (edge/entries/store.ts) against the lifecycle table (shared/lifecycle), on a real
// libSQL file: every move the table allows is made through the store by the actor it names, every
// move it does not allow is refused, nothing else in edge/ writes `entries` or spells a status
// list, and the progress record never goes back whatever a node reports.
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../edge/auth.ts";
import type { EdgeDb } from "../../edge/db/client.ts";
import { statusView } from "../../edge/entries/present.ts";
import { findEntryById } from "../../edge/entries/reads.ts";
import { applyNodeEvent, cancelEntry, claimEntry, createEntry, failEntry, retryEntry, reviewEntry } from "../../edge/entries/store.ts";
import { newEntryId } from "../../edge/ids.ts";
import { openEdgeDb } from "../../edge/node.ts";
import type { NodeEvent } from "../../shared/api/node-protocol.ts";
import { allMoves, canMove, entryStatuses, isDecided, isFinished, isTerminal, isWorking, transitions, type Actor, type EntryStatus } from "../../shared/lifecycle/index.ts";
import { repoRoot } from "../support/paths.ts";

let db: EdgeDb;
let close: () => void;
let keyId: string;
const seqs = new Map<string, number>();

beforeAll(async () => {
  const opened = await openEdgeDb(`file:${path.join(mkdtempSync(path.join(os.tmpdir(), "opus-store-")), "edge.db")}`);
  db = opened.db;
  close = () => opened.client.close();
  keyId = (await createApiKey(db, "store")).id;
});
afterAll(() => close?.());

/** A node event that reports `status`, numbered after the entry's last one. */
function eventFor(id: string, status: EntryStatus, progress = 0.5): NodeEvent | undefined {
  const seq = (seqs.get(id) ?? 0) + 1;
  seqs.set(id, seq);
  const record = { seq, step: status, progress, words: 10, sections: { done: 1, total: 3 }, tokens: 5, eta_seconds: 3 };
  if (isWorking(status) || status === "revising") return { type: "progress", status, ...record };
  if (isFinished(status)) return { type: "finished", status, ...record, entry: { title: "T", markdown: "# T\n", sections: [], words: 10, metadata: {} } };
  if (status === "failed") return { type: "failed", status, ...record, error: { code: "x", message: "y" } };
  if (status === "canceled") return { type: "canceled", status, ...record };
  return undefined; // a node has no event that moves an entry to "queued"
}

/** The store operation by which `by` moves an entry to `to`, if there is one. */
function driverFor(to: EntryStatus, by: Actor): ((id: string) => Promise<unknown>) | undefined {
  if (by === "node") {
    if (!eventFor("probe", to)) return undefined;
    return async (id) => {
      // A revising entry's finished event brings the next revision (edge/review/arrival.ts prepares it).
      const row = (await findEntryById(db, id))!;
      const revision = row.status === "revising" ? { number: row.revision + 1, base: row.revision, author: { keyId, name: "store" }, reason: null, sectionsChanged: [] } : undefined;
      return applyNodeEvent(db, id, eventFor(id, to)!, { progressIntervalMs: 0, leaseMs: 10_000, fromNode: "node-a", revision });
    };
  }
  // A reviewer's decision (edge/review/store.ts builds the move; here with no records beside it).
  const review = async (id: string) => {
    const row = (await findEntryById(db, id))!;
    return reviewEntry(db, id, { madeOn: row.revision, to, event: "entry.edited", step: `reviewed: ${to}`, records: () => [] });
  };
  if (by === "user" && (isDecided(to) || to === "needs_review")) return review;
  // revising: a reviewer's request on a finished entry, or the retry of an entry that failed in a revision.
  if (by === "user" && to === "revising") return async (id) => ((await findEntryById(db, id))!.status === "failed" ? retryEntry(db, (await findEntryById(db, id))!) : review(id));
  if (by === "edge" && to === "failed") return (id) => failEntry(db, id, { code: "node_result_lost", message: "lost" });
  if (by === "user" && to === "canceled") return async (id) => cancelEntry(db, (await findEntryById(db, id))!);
  if (by === "user" && to === "queued") return async (id) => retryEntry(db, (await findEntryById(db, id))!);
  return undefined;
}

/**
 * A new entry brought to `status` by legal moves (claimed by node-a when a node works on it); `next`
 * picks the way there when the move tried next depends on it (a retry to revising needs an entry
 * that failed in a revision).
 */
async function entryIn(status: EntryStatus, next?: EntryStatus): Promise<string> {
  if (isDecided(status) || status === "revising" || (status === "failed" && next === "revising")) {
    const id = await entryIn(status === "failed" ? "revising" : "needs_review");
    await driverFor(status, status === "failed" ? "node" : "user")!(id);
    expect((await findEntryById(db, id))!.status).toBe(status);
    return id;
  }
  const id = newEntryId();
  await createEntry(db, { id, keyId, subject: "Theosis", tier: "B", category: "Theology" });
  if (status === "queued") return id;
  await claimEntry(db, id, { id: "node-a", url: null, capacity: 1000 }, 10_000);
  const reach = status === "canceled" ? driverFor("canceled", "user") : driverFor(status, "node");
  if (!reach) throw new Error(`no store operation here brings a new entry to ${status}: teach entryIn/driverFor the move that does`);
  await reach(id);
  expect((await findEntryById(db, id))!.status).toBe(status);
  return id;
}

describe("the lifecycle table", () => {
  it("names every status, and every row has a reason and an actor", () => {
    for (const status of entryStatuses) expect(transitions.some((t) => t.from.includes(status) || t.to.includes(status)), status).toBe(true);
    for (const t of transitions) expect(t.why.length).toBeGreaterThan(10);
    // Only a user's request moves an ended entry (a retry, a reviewer's decision).
    for (const move of allMoves()) if (isTerminal(move.from)) expect(move.by, `${move.from} -> ${move.to}`).toBe("user");
  });

  it("the store makes every move the table allows, by the actor it names", async () => {
    const moves = allMoves();
    expect(moves.length).toBeGreaterThan(40);
    for (const move of moves) {
      const drive = driverFor(move.to, move.by);
      expect(drive, `no store operation moves an entry to ${move.to} by ${move.by}`).toBeDefined();
      const id = await entryIn(move.from, move.to);
      await drive!(id);
      const after = (await findEntryById(db, id))!;
      expect(after.status, `${move.from} -> ${move.to} by ${move.by}`).toBe(move.to);
      expect(after.transitions.at(-1)!.status).toBe(move.to);
      expect(after.transitions.map((t) => t.status).slice(-2)).toEqual([move.from, move.to]);
    }
  });

  it("the store refuses every move the table does not allow", async () => {
    let tried = 0;
    for (const from of entryStatuses) {
      for (const to of entryStatuses) {
        for (const by of ["node", "edge", "user"] as const) {
          const drive = driverFor(to, by);
          if (!drive || from === to || canMove(from, to, by)) continue;
          const id = await entryIn(from);
          await drive(id);
          expect((await findEntryById(db, id))!.status, `${from} -> ${to} by ${by} must be refused`).toBe(from);
          tried++;
        }
      }
    }
    expect(tried).toBeGreaterThan(20);
  });
});

describe("the progress record", () => {
  it("never goes back, whatever a node reports (a node restarted from its checkpoints reports from 0.08)", async () => {
    const id = await entryIn("queued");
    const apply = (status: EntryStatus, progress: number) => applyNodeEvent(db, id, eventFor(id, status, progress)!, { progressIntervalMs: 0, leaseMs: 10_000 });
    await apply("sections", 0.272);
    const restarted = await apply("sections", 0.08);
    expect(restarted.applied).toBe(true);
    const row = (await findEntryById(db, id))!;
    expect(row.progress.progress).toBe(0.272);
    // The rest of the record is the node's latest word.
    expect(row.progress.words).toBe(10);
    expect(statusView(row, "http://edge").progress).toBe(0.272);
    await apply("sections", 0.3);
    expect((await findEntryById(db, id))!.progress.progress).toBe(0.3);
  });

  it("has one shape from the node's event to the status view", async () => {
    const id = await entryIn("queued");
    const event = eventFor(id, "validating", 0.86)!;
    await applyNodeEvent(db, id, event, { progressIntervalMs: 0, leaseMs: 10_000 });
    const view = statusView((await findEntryById(db, id))!, "http://edge");
    const { type: _type, seq: _seq, ...report } = event;
    expect(view).toMatchObject(report);
  });
});

/** Source files under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : full.endsWith(".ts") ? [full] : [];
  });
}

describe("the edge's code", () => {
  const files = sources(path.join(repoRoot, "edge")).map((file) => ({ file: path.relative(repoRoot, file), text: readFileSync(file, "utf8") }));

  it("writes entries only through the store", () => {
    const writes = /\.(update|insert|delete)\(\s*entries\b|(UPDATE|INSERT INTO|INSERT OR IGNORE INTO|DELETE FROM)\s+(entries\b|\$\{entries\})/;
    const writers = files.filter((f) => writes.test(f.text)).map((f) => f.file);
    expect(writers).toEqual(["edge/entries/store.ts"]);
  });

  it("spells no list of statuses by hand (they derive from shared/lifecycle)", () => {
    const names = entryStatuses.join("|");
    const list = new RegExp(`["'](${names})["']\\s*,\\s*["'](${names})["']`);
    expect(files.filter((f) => list.test(f.text)).map((f) => f.file)).toEqual([]);
  });
});
