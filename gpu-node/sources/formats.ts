// What `opus sources import` reads (the format is documented in docs/sources.md):
//   - JSON Lines (.jsonl), one object a line, either a work or part of one
//       {"author", "work", "text", "part"?, "year"?, "series"?, "source"?, "licence"?}
//     or a Bible verse {"book", "chapter", "verse", "text", "translation"?, "licence"?}
//     (the translation defaults to the file's name: web.jsonl is "web");
//   - Markdown (.md, .markdown) or plain text (.txt) holding one work, with a YAML front matter
//     between "---" lines giving author and work (and optionally part, year, source, licence).
// A folder is read recursively; its Markdown files without a front matter (a README, a
// PROVENANCE.md) are skipped and reported, since in a folder they are notes, not works.
import { createReadStream, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import YAML from "yaml";
import { z } from "zod";

export interface WorkRecord {
  kind: "work";
  author: string;
  work: string;
  part: string | null;
  year: number | null;
  series: string | null;
  source: string | null;
  licence: string | null;
  text: string;
}

export interface VerseRecord {
  kind: "verse";
  translation: string;
  book: string;
  chapter: number;
  verse: number;
  text: string;
  licence: string | null;
}

export type SourceRecord = WorkRecord | VerseRecord;

/** A line or file that cannot be imported, with where and what to fix. */
export class SourceFormatError extends Error {
  override name = "SourceFormatError";
}

const text = (max: number) => z.string().trim().min(1).max(max);
const optionalText = (max: number) => z.union([z.string().trim().max(max), z.null()]).optional();
const url = z.union([z.string().trim().url(), z.literal(""), z.null()]).optional();

const WorkSchema = z.object({
  author: text(300),
  work: text(500).optional(),
  title: text(500).optional(),
  part: optionalText(300),
  year: z.union([z.number().int().min(-2000).max(3000), z.null()]).optional(),
  series: optionalText(100),
  source: url,
  source_url: url,
  licence: optionalText(300),
  license: optionalText(300),
  text: z.string().refine((t) => /\p{L}/u.test(t), "text has no words"),
});

const VerseSchema = z.object({
  book: text(100),
  chapter: z.number().int().min(1).max(200),
  verse: z.number().int().min(0).max(200),
  text: z.string(),
  translation: z.string().trim().regex(/^[a-z0-9][a-z0-9._-]{0,30}$/i, "translation must be a short id such as web or kjv").optional(),
  licence: optionalText(300),
  license: optionalText(300),
});

function problems(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "record"}: ${i.message}`).join("; ");
}

function toWork(raw: unknown, where: string): WorkRecord {
  const parsed = WorkSchema.safeParse(raw);
  if (!parsed.success) throw new SourceFormatError(`${where}: ${problems(parsed.error)} (a work needs "author", "work" and "text"; see docs/sources.md)`);
  const d = parsed.data;
  const work = d.work ?? d.title;
  if (!work) throw new SourceFormatError(`${where}: work: missing (give the work's title as "work")`);
  return {
    kind: "work",
    author: d.author,
    work,
    part: d.part || null,
    year: d.year ?? null,
    series: d.series || null,
    source: d.source || d.source_url || null,
    licence: d.licence || d.license || null,
    text: d.text,
  };
}

function toVerse(raw: unknown, where: string, translation: string): VerseRecord {
  const parsed = VerseSchema.safeParse(raw);
  if (!parsed.success) throw new SourceFormatError(`${where}: ${problems(parsed.error)} (a verse needs "book", "chapter", "verse" and "text")`);
  const d = parsed.data;
  return { kind: "verse", translation: (d.translation ?? translation).toLowerCase(), book: d.book, chapter: d.chapter, verse: d.verse, text: d.text, licence: d.licence || d.license || null };
}

export const SOURCE_EXTENSIONS = [".jsonl", ".md", ".markdown", ".txt"] as const;

/** The files a path names: the file itself, or a folder's source files, sorted. */
export function sourceFiles(target: string): { files: string[]; skipped: string[] } {
  let stat;
  try {
    stat = statSync(target);
  } catch {
    throw new SourceFormatError(`${target}: no such file or folder`);
  }
  if (stat.isFile()) {
    if (!SOURCE_EXTENSIONS.some((e) => target.toLowerCase().endsWith(e))) {
      throw new SourceFormatError(`${target}: not a source file (expected ${SOURCE_EXTENSIONS.join(", ")})`);
    }
    return { files: [path.resolve(target)], skipped: [] };
  }
  const files: string[] = [];
  const skipped: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (SOURCE_EXTENSIONS.some((e) => entry.name.toLowerCase().endsWith(e))) {
        if (!entry.name.endsWith(".jsonl") && !hasFrontMatter(full)) skipped.push(full);
        else files.push(full);
      }
    }
  };
  walk(path.resolve(target));
  return { files, skipped };
}

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/;

function hasFrontMatter(file: string): boolean {
  const head = readFileSync(file, "utf8").slice(0, 4096);
  return FRONT_MATTER.test(head);
}

/** One work from a Markdown or text file with a front matter. */
export function readTextWork(file: string): WorkRecord {
  const content = readFileSync(file, "utf8");
  const m = FRONT_MATTER.exec(content);
  if (!m) throw new SourceFormatError(`${file}: no front matter. Start the file with\n---\nauthor: Basil of Caesarea\nwork: On the Holy Spirit\n---\n(see docs/sources.md)`);
  let meta: unknown;
  try {
    meta = YAML.parse(m[1]!);
  } catch (error) {
    throw new SourceFormatError(`${file}: the front matter is not valid YAML (${(error as Error).message})`);
  }
  if (typeof meta !== "object" || meta === null || Array.isArray(meta)) throw new SourceFormatError(`${file}: the front matter must be a YAML mapping (author: ..., work: ...)`);
  let body = content.slice(m[0].length);
  // Markdown: headings become plain lines, emphasis marks go; paragraphs stay paragraphs.
  if (!file.toLowerCase().endsWith(".txt")) body = body.replace(/^#{1,6}[ \t]+/gm, "").replace(/(\*{1,2}|_{1,2})(\S[^*_\n]*?\S|\S)\1/g, "$2");
  return toWork({ ...(meta as Record<string, unknown>), text: body.replace(/\r\n/g, "\n").trim() }, file);
}

export interface RecordAt {
  record: SourceRecord;
  /** 1-based line of a JSON Lines file (1 for a text file). */
  line: number;
  /** Bytes of the file read so far, for progress. */
  bytes: number;
}

/** The records of one file, in order, read line by line (a 20 MB file is never held twice). */
export async function* readSourceFile(file: string): AsyncGenerator<RecordAt> {
  if (!file.endsWith(".jsonl")) {
    yield { record: readTextWork(file), line: 1, bytes: statSync(file).size };
    return;
  }
  const translation = path.basename(file, ".jsonl").toLowerCase().replace(/[^a-z0-9._-]/g, "-");
  const lines = createInterface({ input: createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
  let n = 0;
  let bytes = 0;
  for await (const line of lines) {
    n++;
    bytes += Buffer.byteLength(line, "utf8") + 1;
    if (!line.trim()) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      throw new SourceFormatError(`${file}:${n}: not valid JSON (${(error as Error).message}); each line must be one JSON object`);
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new SourceFormatError(`${file}:${n}: each line must be one JSON object`);
    const isVerse = "book" in raw && "chapter" in raw && "verse" in raw;
    yield { record: isVerse ? toVerse(raw, `${file}:${n}`, translation) : toWork(raw, `${file}:${n}`), line: n, bytes };
  }
}
