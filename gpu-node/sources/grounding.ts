// Grounding an entry in the library: the works the blueprint may choose as a section's sources
// (the library's works nearest the subject, named in the house style: "St. John Chrysostom,
// Homilies on Hebrews"), and for each section the primary passages its prompts quote from, each
// with its exact citation ("St. John Chrysostom, Homilies on Hebrews 2.1"). The pipeline records
// both in the draft, so a resumed entry is given exactly what the first run was given.
import type { SourceLibrary, SearchResult } from "./library.ts";
import { citationAuthor } from "./titles.ts";

/** `citation` in the house style's Markdown, as the writer is to cite it: "St. John Chrysostom, *Homilies on Hebrews* 9.1". */
export type PrimaryPassage = { citation: string; text: string; sourceUrl: string | null };

export interface Grounding {
  /** Up to `count` works for the blueprint's source list, most relevant first. */
  works(subject: string, category: string): Promise<string[]>;
  /** Up to `count` passages for a section, from its chosen sources first. */
  passages(query: { subject: string; title: string; goal: string; keyPoints: string[]; sources: string[] }): Promise<PrimaryPassage[]>;
}

/** "St. John Chrysostom, Homilies on Hebrews": how the blueprint names a library work. */
export const workLabel = (p: { author: string; authorRef: string; title: string }): string => `${citationAuthor(p.author, p.authorRef)}, ${p.title}`;

/** A passage as a prompt shows it: footnote digits gone, at most about `words` words, ending at a sentence. */
export function excerpt(text: string, words = 110): string {
  const clean = text.replace(/(?<=[\p{L}.,;:!?'"”’)\]])\d+/gu, "").replace(/\s+/g, " ").trim();
  const all = clean.split(" ");
  if (all.length <= words) return clean;
  const cut = all.slice(0, words).join(" ");
  const end = Math.max(cut.lastIndexOf(". "), cut.lastIndexOf("; "), cut.lastIndexOf("? "));
  return end > cut.length / 2 ? cut.slice(0, end + 1) : `${cut}...`;
}

export function createGrounding(library: SourceLibrary, options: { works: number; passages: number }): Grounding {
  const search = async (query: string, k: number, authorRefs?: string[]): Promise<SearchResult[]> => {
    const opts = { k, ...(authorRefs ? { authorRefs } : {}) };
    // By meaning where the library has vectors; its words either way, for names and rare terms.
    const meaning = library.hasVectors ? await library.searchMeaning(query, opts) : [];
    const text = await library.searchText(query, opts);
    const seen = new Set<number>();
    const out: SearchResult[] = [];
    for (let i = 0; i < Math.max(meaning.length, text.length); i++) {
      for (const r of [meaning[i], text[i]]) if (r && !seen.has(r.passage.id)) (seen.add(r.passage.id), out.push(r));
    }
    return out;
  };
  return {
    async works(subject, category) {
      if (options.works === 0) return [];
      const hits = await search(`${subject}. ${category}`, options.works * 4);
      const labels: string[] = [];
      for (const h of hits) {
        const label = workLabel(h.passage);
        if (!labels.includes(label)) labels.push(label);
        if (labels.length === options.works) break;
      }
      return labels;
    },
    async passages(query) {
      if (options.passages === 0) return [];
      const text = `${query.subject}. ${query.title}. ${query.goal} ${query.keyPoints.join(". ")}`;
      const chosen = new Set(query.sources);
      const hits = await search(text, options.passages * 6);
      // The section's own sources first, then whatever else is nearest; one passage per work part.
      const ranked = [...hits.filter((h) => chosen.has(workLabel(h.passage))), ...hits.filter((h) => !chosen.has(workLabel(h.passage)))];
      const out: PrimaryPassage[] = [];
      const parts = new Set<string>();
      for (const h of ranked) {
        const part = `${h.passage.authorRef}|${h.passage.title}|${h.passage.part ?? ""}`;
        if (parts.has(part)) continue;
        parts.add(part);
        out.push({ citation: h.passage.citationMarkdown ?? h.passage.citation, text: excerpt(h.passage.text), sourceUrl: h.passage.sourceUrl });
        if (out.length === options.passages) break;
      }
      return out;
    },
  };
}
