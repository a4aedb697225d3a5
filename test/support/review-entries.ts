// Entries for the review portal's tests and benchmark, built from the golden corpus the way the
// pipeline assembles them (sections only, `## N. Title`, house indent): real text with a real lint
// report. `flaws` puts real faults in (em dashes, a banned phrase per section) so the validators
// find hundreds of issues in a long entry.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { entryMarkdown, entryWords, joinSection } from "../../shared/review/sections.ts";
import { splitSection } from "../../shared/review/sections.ts";
import { toRoman } from "../../shared/text/roman.ts";
import type { EntrySection } from "../../shared/api/node-protocol.ts";
import { repoRoot } from "./paths.ts";

const goldenDir = path.join(repoRoot, "corpus/golden");
export const goldenFiles = readdirSync(goldenDir)
  .filter((f) => f.endsWith(".md") && f !== "README.md")
  .sort();

export type ReviewEntry = { title: string; sections: EntrySection[]; markdown: string; words: number; metadata: Record<string, unknown> };

/** The sections of a golden entry: [title, paragraphs] each, heading numerals dropped. */
function goldenSections(file: string): { title: string; paragraphs: string[] }[] {
  const text = readFileSync(path.join(goldenDir, file), "utf8");
  return text
    .split(/\n(?=## )/)
    .slice(1)
    .map((chunk) => {
      const { heading, paragraphs } = splitSection(chunk.trim());
      return { title: heading.replace(/^##\s+[IVXLC]+\.\s*/, ""), paragraphs };
    });
}

/** Real faults the edge's validators find: em dashes for some commas (every `every`-th paragraph), and one banned phrase per section. */
function flawed(paragraph: string, p: number, every: number): string {
  let out = paragraph;
  if (p % every === 0) out = out.replace(/, and /g, " \u2014 and ");
  if (p === 0) out = `It is important to note that ${out.charAt(0).toLowerCase()}${out.slice(1)}`;
  return out;
}

/**
 * An entry from the golden sections of `files` (in order, repeated `repeat` times), with a blueprint
 * in its metadata as the pipeline stores it.
 */
export function goldenReviewEntry(
  opts: { title?: string; files?: string[]; repeat?: number; flaws?: boolean; flawEvery?: number; maxSections?: number; minWords?: number } = {},
): ReviewEntry {
  const title = opts.title ?? "Theosis";
  const files = opts.files ?? ["theosis.md"];
  const parts: { title: string; paragraphs: string[] }[] = [];
  for (let r = 0; r < (opts.repeat ?? 1); r++) for (const file of files) parts.push(...goldenSections(file));
  // Repeat the files until the entry is long enough.
  const words = () => parts.reduce((n, p) => n + p.paragraphs.reduce((m, t) => m + t.split(/\s+/).length, 0), 0);
  for (let f = 0; opts.minWords !== undefined && words() < opts.minWords; f++) parts.push(...goldenSections(files[f % files.length]!));
  const chosen = parts.slice(0, opts.maxSections ?? parts.length);
  const sections = chosen.map((part, s) => {
    const numeral = toRoman(s + 1);
    const paragraphs = opts.flaws ? part.paragraphs.map((p, i) => flawed(p, i, opts.flawEvery ?? 2)) : part.paragraphs;
    return joinSection(`${numeral}. ${part.title}`, `## ${numeral}. ${part.title}`, paragraphs);
  });
  const plan = chosen.map((part, s) => ({
    numeral: toRoman(s + 1),
    title: part.title,
    goal: `Set out ${part.title.toLowerCase()} as the Fathers teach it.`,
    // The opening words of its first paragraphs stand in for the plan's key points.
    key_points: part.paragraphs.slice(0, 3).map((p) => `${p.replace(/\*/g, "").split(/\s+/).slice(0, 9).join(" ").replace(/[,;:]$/, "")}…`),
    sources: [...new Set([...part.paragraphs.join(" ").matchAll(/\*([^*]+)\*/g)].map((m) => m[1]!))].slice(0, 4),
    word_target: 400,
  }));
  return { title, sections, markdown: entryMarkdown(title, sections), words: entryWords(sections), metadata: { seed: 7, prompt_version: "golden", quality: { combined: 0.8 }, plan } };
}
