// patristic/unknown-work and patristic/misattribution: each citation "Author, *Work*" is looked
// up in the citation index. A known author with a title the index does not know is a warning (the
// index cannot hold everything); a known work credited to the wrong author is an error.
import type { IssueDraft, OpusDocument, Validator } from "../../types.ts";
import { WORKS, closestTitle, getAuthor, worksOf, writtenBy } from "../../patristic/citation-index.ts";

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
      const own = worksOf(c.authorIds);
      const close = closestTitle(c.work, own);
      out.push({
        start: c.workStart - 1,
        end: c.workStart + c.work.length + 1,
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
      const works = WORKS.filter((w) => c.workIds.includes(w.id));
      if (works.some((w) => writtenBy(w, c.authorIds))) continue;
      const real = [...new Set(works.flatMap((w) => w.authors))];
      const realName = names(real);
      out.push({
        start: c.authorStart,
        end: c.workStart + c.work.length + 1,
        message: `*${c.work}* is by ${realName}, not ${c.author}.`,
        suggestion: `Cite it as "${getAuthor(real[0]!).name}, *${works[0]!.title}*${c.locator ? ` ${c.locator}` : ""}", or cite a work of ${getAuthor(c.authorIds[0]!).name}.`,
      });
    }
    return out;
  },
};
