// The sources a blueprint may ask a section to cite: works of the Fathers in the citation index,
// offered to the model as a grammar enum so it cannot invent a title.
import fathers from "../../shared/data/fathers.json" with { type: "json" };
import works from "../../shared/data/works.json" with { type: "json" };

type Author = { id: string; name: string; kind: string };
type Work = { title: string; authors: string[] };

let cached: string[] | undefined;

/** "St. Athanasius of Alexandria, On the Incarnation", for every work of an Orthodox Father. */
export function citableSources(): string[] {
  if (cached) return cached;
  const byId = new Map((fathers.authors as Author[]).map((a) => [a.id, a]));
  cached = (works.works as Work[])
    .map((w) => ({ w, author: byId.get(w.authors[0] ?? "") }))
    .filter(({ author }) => author && author.kind === "father")
    .map(({ w, author }) => `${author!.name}, ${w.title}`)
    .sort();
  return cached;
}
