// The works a citation may name: the citation index (curated, with variants and dates), extended
// by the titles of a library of primary sources when one is loaded (`opus lint --sources`, the GPU
// node). Library titles are not curated: a title the library holds under one author may in truth
// have been written by several (Basil's and Ambrose's Hexaemeron), and a library holds a selection.
// So a library title suppresses "unknown work" for its author and lets prose citations be found,
// but it convicts another author of misattribution only when it is distinctive: at least three
// significant words ("Treatise on the Predestination of the Saints"), not "Against Eunomius".
import type { SourceTitle } from "../quotation/lookup.ts";
import { GENERIC_TITLES, WORKS, normalizeTitle, resolveWork, worksOf, writtenBy, type Work } from "./citation-index.ts";

export interface CatalogWork extends Work {
  /** Taken from a library rather than the citation index. */
  library?: boolean;
  /** May convict another author of misattribution (always true for the citation index). */
  distinctive?: boolean;
}

const FUNCTION_WORDS = new Set(["the", "a", "an", "of", "on", "to", "and", "in", "for", "against", "concerning", "about", "with", "from", "by", "or", "his", "her", "its"]);

/** Words of a title that tell it from others: "On the Holy Spirit" has two (holy, spirit). */
export function significantWords(title: string): string[] {
  return normalizeTitle(title)
    .split(" ")
    .filter((w) => w.length > 2 && !FUNCTION_WORDS.has(w));
}

export class WorkCatalog {
  readonly extra: readonly CatalogWork[];
  private readonly extraByTitle = new Map<string, CatalogWork[]>();
  private readonly byId = new Map<string, CatalogWork>();

  constructor(extra: readonly CatalogWork[] = []) {
    this.extra = extra;
    for (const w of WORKS) this.byId.set(w.id, { ...w, distinctive: true });
    for (const w of extra) {
      this.byId.set(w.id, w);
      for (const t of [w.title, ...w.variants]) {
        const key = normalizeTitle(t);
        const list = this.extraByTitle.get(key) ?? [];
        list.push(w);
        this.extraByTitle.set(key, list);
      }
    }
  }

  /** Works a title may denote, from the index and the library; generic titles are flagged. */
  resolve(title: string): { works: CatalogWork[]; generic: boolean } {
    const base = resolveWork(title);
    const more = this.extraByTitle.get(normalizeTitle(title)) ?? [];
    if (more.length === 0) return { works: base.works.map((w) => this.byId.get(w.id)!), generic: base.generic };
    const works = [...base.works.map((w) => this.byId.get(w.id)!), ...more];
    return { works: [...new Map(works.map((w) => [w.id, w])).values()], generic: false };
  }

  byIds(ids: readonly string[]): CatalogWork[] {
    return ids.map((id) => this.byId.get(id)).filter((w): w is CatalogWork => w !== undefined);
  }

  worksOf(authorIds: readonly string[]): CatalogWork[] {
    return [...worksOf(authorIds).map((w) => this.byId.get(w.id)!), ...this.extra.filter((w) => writtenBy(w, authorIds))];
  }
}

/** The citation index alone: what the edge and a plain `opus lint` use. */
export const INDEX_CATALOG = new WorkCatalog();

const slug = (s: string): string => normalizeTitle(s).replace(/ /g, "-");

/**
 * Catalog works for a library's titles. Generic titles ("Letters", "Homilies") are left out, and
 * so is a title the index already credits to the same author.
 */
export function libraryCatalog(titles: readonly SourceTitle[]): WorkCatalog {
  const works = new Map<string, CatalogWork>();
  for (const t of titles) {
    const key = normalizeTitle(t.title);
    if (!key || GENERIC_TITLES.has(key)) continue;
    if (significantWords(t.title).length === 0) continue;
    const indexed = resolveWork(t.title);
    if (indexed.generic) continue;
    if (indexed.works.some((w) => writtenBy(w, [t.authorRef]))) continue;
    const id = `library:${t.authorRef}:${slug(t.title)}`;
    if (works.has(id)) continue;
    works.set(id, {
      id,
      title: t.title,
      authors: [t.authorRef],
      variants: [],
      library: true,
      // A title the index gives to someone else is shared, not distinctive.
      distinctive: indexed.works.length === 0 && significantWords(t.title).length >= 3,
    });
  }
  return new WorkCatalog([...works.values()]);
}
