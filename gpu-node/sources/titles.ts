// How a library names what it holds, for citations in the house style: the citable title and part
// of a work ("Homilies / On Hebrews / Homily 9" is "Homilies on Hebrews", part "Homily 9"), the
// author's id in the citation index (so quotations credited to "St. Basil" find "Basil of
// Caesarea"), and the citation of one passage ("St. John Chrysostom, Homilies on Hebrews 9.1").
import { COUNCILS, GENERIC_TITLES, getAuthor, normalizeTitle, resolveAuthor } from "../../shared/validation/patristic/citation-index.ts";
import { romanValue } from "../../shared/text/roman.ts";

const SMALL = new Set(["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with", "against", "concerning"]);

export function slug(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/['’]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** "CATECHETICAL LECTURES" -> "Catechetical Lectures"; mixed-case titles are kept as written. */
export function titleCase(text: string): string {
  if (/\p{Ll}/u.test(text)) return text;
  return text
    .toLowerCase()
    .split(/(\s+)/)
    .map((w, i) => (i > 0 && SMALL.has(w) ? w : w.replace(/^(\p{L})/u, (c) => c.toUpperCase())))
    .join("");
}

const PLURAL_GENRE = /^(?:Homilies|Sermons|Letters|Epistles|Orations|Discourses|Lectures|Tractates|Hymns|Treatises|Commentaries)$/i;
const TRAILING_PART = /^(.*?)[ ,]+((?:Book|Part|Session|Homily|Letter|Sermon|Lecture)[ ]+(?:\d+|[IVXLC]+))$/;

export interface WorkName {
  title: string;
  part: string | null;
  partNumber: string | null;
}

/** The citable title and part of a work as a source names it, unless the source gives the part. */
export function workName(work: string, part?: string | null): WorkName {
  const segments = work
    .split(/\s+\/\s+/)
    .map((s) => s.trim().replace(/\.$/, ""))
    .filter((s) => s && !/^Translation-[A-Z]+$/.test(s));
  let titleSegments = segments;
  let partName: string | null = part?.trim() || null;
  if (!partName && segments.length >= 2) {
    partName = segments.at(-1)!;
    titleSegments = segments.slice(0, -1);
  } else if (!partName && segments.length === 1) {
    const trailing = TRAILING_PART.exec(segments[0]!);
    if (trailing && trailing[1]!.length > 2) {
      titleSegments = [trailing[1]!];
      partName = trailing[2]!;
    }
  }
  let title = titleCase(titleSegments[0] ?? work);
  for (const next of titleSegments.slice(1).map(titleCase)) {
    // "Homilies / On Hebrews" is "Homilies on Hebrews".
    title = PLURAL_GENRE.test(title) && /^(?:On|To|Against|Concerning)\b/.test(next) ? `${title} ${next[0]!.toLowerCase()}${next.slice(1)}` : `${title}, ${next}`;
  }
  return { title, part: partName ? titleCase(partName) : null, partNumber: partName ? partNumberOf(partName) : null };
}

function partNumberOf(part: string): string | null {
  const arabic = /\b(\d{1,4})\b/.exec(part);
  if (arabic) return arabic[1]!;
  const roman = /\b([IVXLC]{1,7})\b/.exec(part);
  const value = roman ? romanValue(roman[1]!) : undefined;
  return value !== undefined ? String(value) : null;
}

/** A council's id in the citation index from "Council of Chalcedon of 451" or "Synod of Antioch of 341". */
function councilRef(author: string): string | null {
  const m = /^(.*?)(?:\s+of\s+(\d{3,4}))?$/.exec(author.trim())!;
  const base = normalizeTitle(m[1]!);
  const year = m[2] ? Number(m[2]) : undefined;
  const names = (c: (typeof COUNCILS)[number]) => [c.name, ...c.variants].map(normalizeTitle);
  const byName = COUNCILS.filter((c) => c.kind !== "event" && names(c).includes(base));
  if (year === undefined) return byName[0] ? `council:${byName[0].id}` : null;
  // "Council of Constantinople of 553": the name fits the first council, the year the fifth.
  const city = base.split(" ").at(-1)!;
  const near = COUNCILS.filter((c) => c.kind !== "event" && Math.abs(c.year - year) <= 2 && names(c).some((n) => n.includes(city)));
  const pick = near[0] ?? byName.find((c) => Math.abs(c.year - year) <= 2);
  return pick ? `council:${pick.id}` : null;
}

/** The author ref a library work is credited to (see src_works.author_ref). */
export function authorRefOf(author: string): string {
  if (/\b(?:council|synod)\b/i.test(author)) {
    const council = councilRef(author);
    if (council) return council;
  } else {
    const ids = resolveAuthor(author).ids;
    if (ids.length === 1) return ids[0]!;
  }
  return `library:${slug(author)}`;
}

/** The name a citation gives the author: the index's ("St. Basil the Great"), or the library's. */
export function citationAuthor(author: string, authorRef: string): string {
  if (!authorRef.startsWith("library:") && !authorRef.startsWith("council:")) {
    try {
      return getAuthor(authorRef).name;
    } catch {
      // fall through to the library's name
    }
  }
  const m = /^(.*?)\s+of\s+(\d{3,4})$/.exec(author);
  return m ? `${m[1]} (${m[2]})` : author;
}

/**
 * "St. John Chrysostom, Homilies on Hebrews 9.1", "St. Basil the Great, Letter 38.2",
 * "St. Athanasius the Great, On the Incarnation of the Word 54".
 */
export function formatCitation(
  p: { author: string; authorRef: string; title: string; part: string | null; partNumber: string | null; section: string | null; paragraph: number },
  options: { markdown?: boolean } = {},
): string {
  const author = citationAuthor(p.author, p.authorRef);
  // The house style sets the title in italics: "St. John Chrysostom, *Homilies on Hebrews* 9.1".
  const it = (title: string) => (options.markdown ? `*${title}*` : title);
  const generic = GENERIC_TITLES.has(normalizeTitle(p.title));
  let cited: string;
  let locator: string[];
  if (p.part && (generic || !p.partNumber)) {
    // "Letters / Letter 38" is cited as "Letter 38"; "Conferences / Preface" as "Conferences, Preface".
    cited = generic ? it(p.part) : `${it(p.title)}, ${p.part}`;
    locator = p.section ? [p.section] : [];
    return `${author}, ${cited}${locator.length ? `${generic && p.partNumber ? "." : " "}${locator.join(".")}` : ""}`;
  }
  cited = it(p.title);
  locator = [p.partNumber, p.section].filter((x): x is string => Boolean(x));
  const head = normalizeTitle(p.author) === normalizeTitle(p.title) ? cited : `${author}, ${cited}`;
  return locator.length ? `${head} ${locator.join(".")}` : locator.length === 0 && !p.section ? `${head}, para. ${p.paragraph}` : head;
}
