// `opus corpus`: the knowledge base's documents. `add` indexes your own exemplary entries beside
// the golden corpus (corpus/golden, synced automatically); finished entries are indexed by the
// GPU node itself. The commands open the node's database and index (see docs/knowledge.md).
import { existsSync } from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { openNodeDb } from "../../gpu-node/db/client.ts";
import { readCorpusFile } from "../../gpu-node/knowledge/corpus.ts";
import type { KnowledgeBase } from "../../gpu-node/knowledge/knowledge-base.ts";
import { openKnowledgeBase } from "../../gpu-node/knowledge/open.ts";
import { loadNodeConfig } from "../../gpu-node/config/load.ts";
import type { DocumentKind } from "../../gpu-node/knowledge/store.ts";
import { QUANTIZATIONS, type Quantization } from "../../gpu-node/knowledge/vector-index.ts";

interface CommonOptions {
  db?: string;
  dir?: string;
  embedder?: string;
  quantization?: Quantization;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError("expected a whole number from 1 to 100");
  return n;
}

function quantization(value: string): Quantization {
  if (!(QUANTIZATIONS as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${QUANTIZATIONS.join(", ")}`);
  return value as Quantization;
}

function kind(value: string): DocumentKind {
  if (value !== "user" && value !== "golden") throw new InvalidArgumentError('expected "user" or "golden"');
  return value;
}

function withCommonOptions(command: Command): Command {
  return command
    .option("--db <file>", "the GPU node database (default: OPUS_NODE_DB or .opus/gpu-node.db)")
    .option("--dir <dir>", "vector index folder (default: OPUS_KNOWLEDGE_DIR or .opus/knowledge)")
    .option("--embedder <model>", 'embedding model: "opus-static", a hub id or a local folder (default: OPUS_EMBEDDER or opus-static)')
    .option("--quantization <kind>", `vector quantization of a new index: ${QUANTIZATIONS.join(", ")} (default: OPUS_INDEX_QUANTIZATION or f32)`, quantization);
}

async function withKnowledgeBase<T>(opts: CommonOptions, work: (kb: KnowledgeBase) => Promise<T>): Promise<T> {
  // The node's own configuration (file and OPUS_* variables): the same database, index and embedder cache.
  const config = loadNodeConfig({ requireModel: false });
  const knowledge = { ...config.knowledge, ...(opts.embedder ? { embedder: opts.embedder } : {}) };
  const db = await openNodeDb(opts.db ?? config.paths.database);
  const kb = await openKnowledgeBase(db, knowledge, {
    ...(opts.dir ? { dir: opts.dir } : {}),
    ...(opts.quantization ? { quantization: opts.quantization } : {}),
    view: false,
  });
  try {
    return await work(kb);
  } finally {
    await kb.close();
    db.$client.close();
  }
}

export function registerCorpus(program: Command): void {
  const corpus = program.command("corpus").description("the knowledge base: golden corpus, your exemplary entries, earlier entries");

  withCommonOptions(
    corpus
      .command("add")
      .description("add or update markdown entries (house style, starting with a # Title line)")
      .argument("<files...>", "markdown files")
      .option("--kind <kind>", 'document kind: "user" (default) or "golden"', kind, "user" as DocumentKind),
  ).action(async (files: string[], opts: CommonOptions & { kind: DocumentKind }) => {
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length > 0) throw new Error(`No such file: ${missing.join(", ")}`);
    // Read every file first, so a bad one stops the command before anything changes.
    const documents = files.map((f) => readCorpusFile(f, opts.kind));
    await withKnowledgeBase(opts, async (kb) => {
      for (const doc of documents) {
        const result = await kb.addDocument({ id: doc.id, title: doc.title, markdown: doc.markdown, kind: opts.kind, sourcePath: doc.path });
        process.stdout.write(`${result.changed ? "indexed" : "unchanged"} ${doc.id} "${doc.title}" (${result.chunks} passages)\n`);
      }
      await kb.save();
    });
  });

  withCommonOptions(corpus.command("list").description("list the documents in the knowledge base").option("--json", "print JSON")).action(
    async (opts: CommonOptions & { json?: boolean }) => {
      await withKnowledgeBase(opts, async (kb) => {
        const docs = await kb.listDocuments();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(docs, null, 2)}\n`);
          return;
        }
        for (const d of docs) process.stdout.write(`${d.id}\t${d.kind}\t${d.words} words\t${d.chunks} passages\t${d.title}\n`);
        const stats = await kb.stats();
        process.stderr.write(`${docs.length} documents, ${stats.vectors} vectors, embedder ${stats.embedderId} (${stats.dimensions} dimensions, ${stats.quantization})\n`);
      });
    },
  );

  withCommonOptions(corpus.command("remove").description("remove documents by id (see `opus corpus list`)").argument("<ids...>", "document ids")).action(
    async (ids: string[], opts: CommonOptions) => {
      await withKnowledgeBase(opts, async (kb) => {
        const unknown: string[] = [];
        for (const id of ids) {
          if (await kb.removeDocument(id)) process.stdout.write(`removed ${id}\n`);
          else unknown.push(id);
        }
        await kb.save();
        if (unknown.length > 0) throw new Error(`No document with id ${unknown.join(", ")} (see \`opus corpus list\`)`);
      });
    },
  );

  withCommonOptions(corpus.command("search").description("the passages nearest in meaning to a query").argument("<query>", "query text").option("-k <n>", "how many passages", positiveInt, 5)).action(
    async (query: string, opts: CommonOptions & { k: number }) => {
      await withKnowledgeBase(opts, async (kb) => {
        for (const hit of await kb.search(query, opts.k)) {
          const preview = hit.text.replace(/\s+/g, " ").trim().slice(0, 160);
          process.stdout.write(`${hit.score.toFixed(3)}\t${hit.documentId}\t${hit.section || "(lead)"}\t${preview}\n`);
        }
      });
    },
  );

  withCommonOptions(corpus.command("check").description("check a markdown entry for copying or close paraphrase of the knowledge base").argument("<file>", "markdown file").option("--json", "print JSON")).action(
    async (file: string, opts: CommonOptions & { json?: boolean }) => {
      if (!existsSync(file)) throw new Error(`No such file: ${file}`);
      const doc = readCorpusFile(file, "user");
      await withKnowledgeBase(opts, async (kb) => {
        const report = await kb.checkUniqueness(doc.markdown, { excludeDocument: doc.id });
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else {
          for (const f of report.findings) process.stdout.write(`${f.kind}\t${f.start}-${f.end}\t${f.message}\n`);
          process.stderr.write(`${report.findings.length} finding(s) in ${report.passagesChecked} passages\n`);
        }
        if (!report.unique) process.exitCode = 1;
      });
    },
  );

  withCommonOptions(corpus.command("rebuild").description("re-chunk and re-embed every document (after changing the embedder or the quantization)")).action(
    async (opts: CommonOptions) => {
      await withKnowledgeBase(opts, async (kb) => {
        const result = await kb.rebuild();
        const stats = await kb.stats();
        process.stdout.write(`rebuilt ${result.documents} documents into ${result.vectors} vectors with ${stats.embedderId} (${stats.quantization})\n`);
      });
    },
  );
}
