// patristic/unknown-work and patristic/misattribution: each citation "Author, *Work*" is looked
// up in the citation index. A known author with a title the index does not know is a warning (the
// index cannot hold everything); a known work credited to the wrong author is an error.
// Titles resolve against the document's catalog (patristic/catalog.ts): the index, and a library's
// titles when one is loaded; citations in running prose (patristic/prose.ts) count like italic ones.
import type { IssueDraft, OpusDocument, PatristicCitation, Validator } from "../../types.ts";
import { closestTitle, getAuthor, writtenBy } from "../../patristic/citation-index.ts";

/** The title's range: with its asterisks for an italic citation, as written for one in prose. */
const titleRange = (c: PatristicCitation): { start: number; end: number } =>
  c.form === "prose" ? { start: c.workStart, end: c.workStart + c.work.length } : { start: c.workStart - 1, end: c.workStart + c.work.length + 1 };

const names = (ids: readonly string[]): string => [...new Set(ids.map((id) => getAuthor(id).name))].join(" or ");

export const unknownWork: Validator = {
  id: "patristic/unknown-work",
  description: "A cited work is not in the citation index of the Fathers.",
  severity: "warning",
  dimension: "citations",
  priority: 80,
  places: ["edge", "gpu"],
  validate(doc: OpusDocument): IssueDraft[] {
    const out: IssueDraft[] = [];
    for (const c of doc.patristic) {
      if (c.generic || c.workIds.length > 0) continue;
      const own = doc.catalog.worksOf(c.authorIds);
      const close = closestTitle(c.work, own);
      out.push({
        ...titleRange(c),
        message: `*${c.work}* is not a work of ${names(c.authorIds)} in the citation index.`,
        suggestion: close ? `Did you mean *${close.title}*?` : own.length > 0 ? `Known works include ${own.slice(0, 3).map((w) => `*${w.title}*`).join(", ")}.` : "Check the title and author.",
      });
    }
    return out;
  },
};

export const misattribution: Validator = {
  id: "patristic/misattribution",
  description: "A real work is credited to the wrong author.",
  severity: "error",
  dimension: "citations",
  priority: 81,
  places: ["edge", "gpu"],
  validate(doc: OpusDocument): IssueDraft[] {
    const out: IssueDraft[] = [];
    for (const c of doc.patristic) {
      if (c.workIds.length === 0) continue;
      const all = doc.catalog.byIds(c.workIds);
      if (all.some((w) => writtenBy(w, c.authorIds))) continue;
      // A library title convicts only when distinctive (see patristic/catalog.ts).
      const works = all.filter((w) => w.distinctive !== false);
      if (works.length === 0) continue;
      const real = [...new Set(works.flatMap((w) => w.authors))];
      const realName = names(real);
      out.push({
        start: c.authorStart,
        end: titleRange(c).end,
        message: `*${c.work}* is by ${realName}, not ${c.author}.`,
        suggestion: `Cite it as "${getAuthor(real[0]!).name}, *${works[0]!.title}*${c.locator ? ` ${c.locator}` : ""}", or cite a work of ${getAuthor(c.authorIds[0]!).name}.`,
      });
    }
    return out;
  },
};
