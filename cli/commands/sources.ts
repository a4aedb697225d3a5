// `opus sources import|list|search|remove`: the library of primary sources (the Fathers, the
// councils, Bible translations) that grounds entries and checks their quotations. It lives in the
// GPU node's database and vector folder (the node's configuration decides where; --db and --dir
// override). The file formats are documented in docs/sources.md.
import cliProgress from "cli-progress";
import { InvalidArgumentError, type Command } from "commander";
import { loadNodeConfig } from "../../gpu-node/config/load.ts";
import { openNodeDb } from "../../gpu-node/db/client.ts";
import { openSourceLibrary, SourceFormatError, type ImportProgress, type SourceLibrary } from "../../gpu-node/sources/index.ts";
import { resolveAuthor } from "../../shared/validation/patristic/citation-index.ts";
import { authorRefOf } from "../../gpu-node/sources/titles.ts";

interface CommonOptions {
  db?: string;
  dir?: string;
  embedder?: string;
}

function withCommonOptions(command: Command): Command {
  return command
    .option("--db <file>", "the GPU node database (default: the node configuration's, OPUS_NODE_DB or .opus/gpu-node.db)")
    .option("--dir <dir>", "folder of the passages' vector index (default: the node configuration's sources.dir, OPUS_SOURCES_DIR or .opus/sources)")
    .option("--embedder <model>", 'embedding model for search by meaning (default: the knowledge base\'s, "opus-static")');
}

async function withLibrary<T>(opts: CommonOptions & { vectors?: boolean }, work: (library: SourceLibrary) => Promise<T>): Promise<T> {
  const config = loadNodeConfig({ requireModel: false });
  const knowledge = { ...config.knowledge, ...(opts.embedder ? { embedder: opts.embedder } : {}) };
  const db = await openNodeDb(opts.db ?? config.paths.database);
  const library = await openSourceLibrary(db, { knowledge, sources: config.sources }, {
    ...(opts.dir ? { dir: opts.dir } : {}),
    ...(opts.vectors === false ? { embedder: false } : {}),
  });
  try {
    return await work(library);
  } finally {
    await library.close();
    db.$client.close();
  }
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError("expected a whole number from 1 to 100");
  return n;
}

const count = (n: number) => n.toLocaleString("en-US");

/** A bar on a terminal; otherwise a line at each tenth of the way and at each phase. */
function progressReporter(json: boolean): { update(p: ImportProgress): void; stop(): void } {
  if (json) return { update() {}, stop() {} };
  if (!process.stderr.isTTY) {
    let last = "";
    return {
      update(p) {
        const tenth = p.total > 0 ? Math.floor((10 * p.done) / p.total) : 0;
        const key = `${p.phase}:${tenth}`;
        if (key === last) return;
        last = key;
        const what = p.phase === "reading" ? `reading ${tenth * 10}% (${count(p.added + p.replaced)} new or changed works, ${count(p.unchanged)} unchanged)` : `${p.phase} ${count(p.done)}/${count(p.total)} passages`;
        process.stderr.write(`${what}\n`);
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar({ format: "{phase} {bar} {percentage}% | {detail}", hideCursor: true, stream: process.stderr, barsize: 30 }, cliProgress.Presets.shades_classic);
  let started = false;
  let phase = "";
  return {
    update(p) {
      if (!started || phase !== p.phase) {
        if (started) bar.stop();
        bar.start(Math.max(1, p.total), 0, { phase: p.phase.padEnd(9), detail: "" });
        started = true;
        phase = p.phase;
      }
      bar.setTotal(Math.max(1, p.total));
      const detail = p.phase === "reading" ? `${count(p.added + p.replaced)} new or changed, ${count(p.unchanged)} unchanged, ${count(p.words)} words` : `${count(p.done)}/${count(p.total)} passages`;
      bar.update(p.done, { phase: p.phase.padEnd(9), detail });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** Author refs for --author: a citation-index name ("St. Basil") or the library's own ("Basil of Caesarea"). */
function authorRefsFor(name: string | undefined): string[] | undefined {
  if (!name) return undefined;
  const ids = resolveAuthor(name).ids;
  return ids.length > 0 ? ids : [authorRefOf(name)];
}

export function registerSources(program: Command): void {
  const sources = program.command("sources").description("the library of primary sources (Fathers, councils, Scripture) that grounds entries and checks quotations");

  withCommonOptions(
    sources
      .command("import")
      .description("import JSON Lines, Markdown or text files (or folders of them); unchanged works are skipped, changed ones replaced, an interrupted import resumes")
      .argument("<paths...>", "files or folders")
      .option("--no-vectors", "import the text only (full-text search and quotation checks), without embedding passages")
      .option("--json", "print the summary as JSON"),
  ).action(async (paths: string[], opts: CommonOptions & { vectors: boolean; json?: boolean }) => {
    const progress = progressReporter(Boolean(opts.json));
    try {
      await withLibrary(opts, async (library) => {
        const summary = await library.import(paths, { onProgress: (p) => progress.update(p), vectors: opts.vectors });
        progress.stop();
        for (const skipped of summary.skippedFiles) process.stderr.write(`skipped ${skipped}: no front matter (author, work), so not a work\n`);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(summary)}\n`);
          return;
        }
        const books = summary.books;
        process.stdout.write(
          `imported ${summary.files} file(s) in ${summary.seconds.toFixed(1)} s: ${summary.added} work(s) added, ${summary.replaced} replaced, ${summary.unchanged} unchanged` +
            (books.added + books.replaced + books.unchanged > 0 ? `; ${books.added} book(s) of Scripture added, ${books.replaced} replaced, ${books.unchanged} unchanged` : "") +
            `; ${count(summary.words)} words in ${count(summary.passages)} new passages, ${count(summary.vectors)} embedded\n`,
        );
      });
    } catch (error) {
      progress.stop();
      if (!(error instanceof SourceFormatError)) throw error;
      process.stderr.write(`opus sources import: ${error.message}\n`);
      process.exitCode = 2;
    }
  });

  withCommonOptions(sources.command("list").description("list the library's works (by author and title) and translations").option("--json", "print JSON")).action(
    async (opts: CommonOptions & { json?: boolean }) => {
      await withLibrary({ ...opts, vectors: false }, async (library) => {
        const listing = await library.list();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(listing, null, 2)}\n`);
          return;
        }
        for (const w of listing.works) {
          process.stdout.write(`${w.id}\t${w.author}\t${w.title}\t${w.parts} part(s)\t${count(w.words)} words\t${count(w.passages)} passages\n`);
        }
        for (const t of listing.translations) process.stdout.write(`bible/${t.translation}\t${t.books} books\t${count(t.verses)} verses\n`);
        const words = listing.works.reduce((n, w) => n + w.words, 0);
        process.stderr.write(`${listing.works.length} titles, ${count(words)} words; ${listing.translations.length} translation(s)\n`);
      });
    },
  );

  withCommonOptions(
    sources
      .command("search")
      .description("passages by their words (full text) and by meaning (vectors)")
      .argument("<query>", "words or a question")
      .option("-k <n>", "how many passages", positiveInt, 5)
      .option("--text", "full-text search only")
      .option("--meaning", "search by meaning only")
      .option("--author <name>", 'only this author\'s works ("St. Basil", "Basil of Caesarea")')
      .option("--json", "print JSON"),
  ).action(async (query: string, opts: CommonOptions & { k: number; text?: boolean; meaning?: boolean; author?: string; json?: boolean }) => {
    if (!query.trim()) {
      process.stderr.write("opus sources search: the query is empty; give some words to look for\n");
      process.exitCode = 2;
      return;
    }
    const authorRefs = authorRefsFor(opts.author);
    await withLibrary({ ...opts, vectors: !opts.text }, async (library) => {
      const results = [
        ...(opts.meaning ? [] : await library.searchText(query, { k: opts.k, ...(authorRefs ? { authorRefs } : {}) })),
        ...(opts.text ? [] : await library.searchMeaning(query, { k: opts.k, ...(authorRefs ? { authorRefs } : {}) })),
      ];
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(results.map((r) => ({ via: r.via, score: r.score, citation: r.passage.citation, source: r.passage.sourceUrl, text: r.passage.text })), null, 2)}\n`);
        return;
      }
      for (const r of results) {
        const preview = r.passage.text.replace(/\s+/g, " ").trim().slice(0, 140);
        process.stdout.write(`${r.via}\t${r.via === "meaning" ? r.score.toFixed(3) : ""}\t${r.passage.citation}\t${r.passage.sourceUrl ?? ""}\n\t${preview}\n`);
      }
      if (results.length === 0) process.stderr.write("no passage found\n");
    });
  });

  withCommonOptions(
    sources
      .command("remove")
      .description('remove works by id or id prefix (see `opus sources list`: "basil-of-caesarea", "basil-of-caesarea/letters"), or a translation ("bible/web")')
      .argument("<ids...>", "work ids, prefixes or bible/<translation>"),
  ).action(async (ids: string[], opts: CommonOptions) => {
    await withLibrary(opts, async (library) => {
      const result = await library.remove(ids);
      process.stdout.write(`removed ${result.works} work(s) and ${count(result.verses)} verse(s)\n`);
      if (result.unknown.length > 0) {
        process.stderr.write(`opus sources remove: nothing in the library matches ${result.unknown.join(", ")} (see \`opus sources list\`)\n`);
        process.exitCode = 2;
      }
    });
  });
}
