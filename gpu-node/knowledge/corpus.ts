// Corpus files on disk: the golden exemplars in corpus/golden/*.md (synced into the knowledge base
// at open) and user additions (`opus corpus add <files>`). A file's id is its kind and base name,
// so re-adding an edited file replaces the old version.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { markdownTitle } from "./chunker.ts";
import type { DocumentKind } from "./store.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export function defaultGoldenDir(): string {
  return path.join(repoRoot, "corpus", "golden");
}

export interface CorpusFile {
  id: string;
  title: string;
  markdown: string;
  path: string;
}

export function corpusDocumentId(kind: DocumentKind, file: string): string {
  const base = path.basename(file).replace(/\.(md|markdown)$/i, "");
  const slug = base
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (!slug) throw new Error(`Cannot make a document id from the file name ${file}`);
  return `${kind}/${slug}`;
}

/** Reads one markdown file, requiring the house style's `# Title` first line. */
export function readCorpusFile(file: string, kind: DocumentKind): CorpusFile {
  let markdown: string;
  try {
    markdown = readFileSync(file, "utf8");
  } catch (error) {
    throw new Error(`Cannot read ${file}: ${(error as Error).message}`);
  }
  const title = markdownTitle(markdown);
  if (!title) throw new Error(`${file} does not start with a "# Title" line (house style); add one before adding it to the corpus.`);
  return { id: corpusDocumentId(kind, file), title, markdown, path: path.resolve(file) };
}

export function listMarkdownFiles(dir: string): string[] {
  return readdirSync(dir)
    // A folder's README describes the corpus; it is not an entry.
    .filter((name) => /\.(md|markdown)$/i.test(name) && !name.startsWith(".") && !/^readme\./i.test(name))
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .sort();
}

interface CorpusSink {
  addDocument(input: { id: string; title: string; markdown: string; kind: DocumentKind; sourcePath: string }): Promise<{ changed: boolean }>;
  removeDocument(id: string): Promise<boolean>;
  listDocuments(): Promise<{ id: string; kind: DocumentKind }[]>;
}

/** Makes the documents of `kind` match the folder: adds new and changed files, drops deleted ones. */
export async function syncCorpusDir(kb: CorpusSink, dir: string, kind: DocumentKind): Promise<{ added: number; updated: number; removed: number; unchanged: number }> {
  const files = listMarkdownFiles(dir).map((f) => readCorpusFile(f, kind));
  const before = new Set((await kb.listDocuments()).filter((d) => d.kind === kind).map((d) => d.id));
  const result = { added: 0, updated: 0, removed: 0, unchanged: 0 };
  for (const file of files) {
    const { changed } = await kb.addDocument({ id: file.id, title: file.title, markdown: file.markdown, kind, sourcePath: file.path });
    if (!changed) result.unchanged++;
    else if (before.has(file.id)) result.updated++;
    else result.added++;
    before.delete(file.id);
  }
  for (const id of before) if (await kb.removeDocument(id)) result.removed++;
  return result;
}
