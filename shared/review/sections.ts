// An entry's text as the pipeline assembles it (gpu-node/pipeline/assemble.ts): `# Title`, then
// each section as `## N. Title` and its paragraphs (house indent, one line each), blocks separated
// by blank lines. Both sides rebuild an entry from its sections with these: the edge after a hand
// edit, the node after a revision, so that untouched sections keep every byte.
import type { EntrySection } from "../api/node-protocol.ts";
import { paragraphIndent } from "../text/house-style.ts";
import { countWords } from "../text/words.ts";

/** The whole entry's Markdown from its title and sections, exactly as the pipeline writes it. */
export function entryMarkdown(title: string, sections: readonly Pick<EntrySection, "markdown">[]): string {
  return `# ${title}\n${sections.map((s) => `\n${s.markdown}\n`).join("")}`;
}

/** A section's heading line and its paragraphs' text (house indent removed). */
export function splitSection(markdown: string): { heading: string; paragraphs: string[] } {
  const [heading = "", ...blocks] = markdown.split(/\n{2,}/);
  return { heading, paragraphs: blocks.map((b) => b.replace(/^[\u00a0 \t]+/, "")).filter((b) => b.length > 0) };
}

/** A section rebuilt from its heading and paragraphs, with its word count (headings not counted, as the pipeline does). */
export function joinSection(title: string, heading: string, paragraphs: readonly string[]): EntrySection {
  return {
    title,
    markdown: [heading, ...paragraphs.map((p) => `${paragraphIndent}${p}`)].join("\n\n"),
    words: paragraphs.reduce((n, p) => n + countWords(p), 0),
  };
}

/** Words in the entry (the sections' words: what the pipeline reports). */
export const entryWords = (sections: readonly Pick<EntrySection, "words">[]) => sections.reduce((n, s) => n + s.words, 0);
