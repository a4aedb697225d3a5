// The whole name a mention in running text belongs to. The mention finder matches the leftmost
// name it knows, so in "St. Clement of Rome" it may stop at "St. Clement" (a name of Clement of
// Alexandria): the capitalised words that follow ("of Rome") are read with it, and the longer
// name wins when the citation index knows it.
import { resolveAuthor } from "./citation-index.ts";

const NAME_RUN = /^[\p{L}'’.-]+(?:[ \u00a0]+(?:of|the|[\p{Lu}][\p{L}'’.-]*))*/u;

export function fullName(text: string, start: number, end: number): { ids: string[]; end: number } {
  const run = NAME_RUN.exec(text.slice(start, start + 80));
  const base = resolveAuthor(text.slice(start, end)).ids;
  if (!run || start + run[0].length <= end) return { ids: base, end };
  // Try the run, then shorter runs, down to the mention itself.
  const words = run[0].split(/[ \u00a0]+/);
  for (let n = words.length; n > 0; n--) {
    const candidate = words.slice(0, n).join(" ").replace(/[.,]$/, "");
    if (start + candidate.length <= end) break;
    const ids = resolveAuthor(candidate).ids;
    if (ids.length > 0) return { ids, end: start + candidate.length };
  }
  return { ids: base, end };
}
