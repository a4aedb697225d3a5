// The library `opus lint --sources <path>` checks quotations against. <path> is a folder or file of
// sources (JSON Lines, Markdown, text: docs/sources.md), imported as text only into a cache database
// of its own (.opus/cache/lint-sources/, incremental, so the second lint of the same folder reads
// nothing new), or a GPU node's database file (*.db) whose library `opus sources import` filled.
import { createHash } from "node:crypto";
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { openNodeDb, type NodeDb } from "../gpu-node/db/client.ts";
import { createSourceLibrary, type ImportProgress, type SourceLibrary } from "../gpu-node/sources/index.ts";
import { lintMarkdown, parseDocument, type LintOptions, type LintReport } from "../shared/validation/index.ts";
import { sourceCatalog, sourceValidators, verifyQuotations, type QuotationCheck } from "../shared/validation/quotation/index.ts";

export interface LintSources {
  /** Lints with the library's rules and titles; `quotations` is every checked quotation. */
  lint(markdown: string, options: LintOptions): Promise<{ report: LintReport; quotations: QuotationCheck[] }>;
  close(): Promise<void>;
}

function cacheDatabase(target: string): string {
  const key = createHash("sha256").update(path.resolve(target)).digest("hex").slice(0, 16);
  const cache = process.env.OPUS_CACHE_DIR ?? path.join(".opus", "cache");
  return path.join(cache, "lint-sources", `${path.basename(path.resolve(target)).replace(/[^\w.-]+/g, "-")}-${key}.db`);
}

export async function openLintSources(target: string, onProgress?: (p: ImportProgress) => void): Promise<LintSources> {
  const isDatabase = target.endsWith(".db") && existsSync(target) && statSync(target).isFile();
  const dbFile = isDatabase ? target : cacheDatabase(target);
  const db: NodeDb = await openNodeDb(dbFile);
  let library: SourceLibrary;
  try {
    library = await createSourceLibrary({ db, dir: path.join(path.dirname(path.resolve(dbFile)), "unused-vectors"), embedder: false });
    if (!isDatabase) await library.import([target], { vectors: false, ...(onProgress ? { onProgress } : {}) });
  } catch (error) {
    db.$client.close();
    throw error;
  }
  const lookup = library.lookup;
  const validators = sourceValidators(lookup);
  const catalog = await sourceCatalog(lookup);
  return {
    async lint(markdown, options) {
      const doc = parseDocument(markdown, { catalog });
      const report = await lintMarkdown(doc, { ...options, extraValidators: [...(options.extraValidators ?? []), ...validators] });
      return { report, quotations: await verifyQuotations(doc, lookup) };
    },
    async close() {
      await library.close();
      db.$client.close();
    },
  };
}
