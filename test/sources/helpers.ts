// The fixture library (test/fixtures/sources: a few works and 279 verses) imported into a real
// node database in a temporary folder, with or without vectors.
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { openNodeDb, type NodeDb } from "../../gpu-node/db/client.ts";
import { createSourceLibrary, type SourceLibrary } from "../../gpu-node/sources/index.ts";
import { repoRoot } from "../support/paths.ts";

export const fixtureSources = path.join(repoRoot, "test/fixtures/sources");
export const fixtureEntries = path.join(repoRoot, "test/fixtures/entries");
/** The static embedding model is built once into this cache and shared by every test process. */
export const embedderCache = path.join(os.tmpdir(), "opus-test-embedder-cache");
export const NBSP4 = "\u00a0".repeat(4);

export type FixtureLibrary = { library: SourceLibrary; db: NodeDb; dir: string; close: () => Promise<void> };

export async function openLibrary(dir: string, vectors: boolean): Promise<{ library: SourceLibrary; db: NodeDb; close: () => Promise<void> }> {
  const db = await openNodeDb(path.join(dir, "gpu-node.db"));
  const library = await createSourceLibrary({ db, dir: path.join(dir, "sources"), embedder: vectors ? { cacheDir: embedderCache } : false });
  return {
    library,
    db,
    close: async () => {
      await library.close();
      db.$client.close();
    },
  };
}

export async function fixtureLibrary(options: { vectors?: boolean } = {}): Promise<FixtureLibrary> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "opus-sources-"));
  const opened = await openLibrary(dir, options.vectors ?? false);
  await opened.library.import([fixtureSources], { vectors: options.vectors ?? false });
  return { ...opened, dir };
}

/** A one-section entry in the house style holding the given paragraphs. */
export function entryOf(...paragraphs: string[]): string {
  return `# Test\n\n## I. Test\n\n${paragraphs.map((p) => NBSP4 + p).join("\n\n")}\n`;
}
