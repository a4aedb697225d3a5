// Cuts a work's text into citable passages that keep their place: the paragraph they belong to
// (1-based, counting the paragraphs of the text as given), the editor's section number in force
// there ("1." or "[1.]" opening a paragraph, as the Schaff volumes number them), and their UTF-16
// offsets in the text. A paragraph is one passage, or several when it is longer than `maxWords`
// (cut at sentence ends). The footnotes that the sources keep at the end of a part ("1: ...") are
// the editor's words, not the author's: they are left out, so no quotation is ever credited to a
// Father for what his translator wrote.

export interface CutPassage {
  ordinal: number;
  paragraph: number;
  section: string | null;
  start: number;
  end: number;
  words: number;
  text: string;
}

export interface CutOptions {
  /** A longer paragraph is cut into pieces of about this many words at most. */
  maxWords: number;
  /** Shorter paragraphs (a running head, "Letter I.") are not passages. */
  minWords: number;
}

export const DEFAULT_CUT: CutOptions = { maxWords: 220, minWords: 4 };

const SECTION = /^\[?(\d{1,3})\.\]?\s/;
const FOOTNOTE = /^\d{1,3}:\s/;

function countWords(text: string): number {
  return (text.match(/\S+/g) ?? []).length;
}

/** Paragraphs of the text (blank-line separated) with their offsets. */
function paragraphs(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const re = /\n[ \t\u00a0]*\n\s*/g;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m.index > start) out.push({ start, end: m.index });
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push({ start, end: text.length });
  // Trim each paragraph's own surrounding spaces.
  return out
    .map((p) => {
      let s = p.start;
      let e = p.end;
      while (s < e && /\s/.test(text[s]!)) s++;
      while (e > s && /\s/.test(text[e - 1]!)) e--;
      return { start: s, end: e };
    })
    .filter((p) => p.end > p.start);
}

/** Where the footnotes begin: the first "1: " paragraph after which most paragraphs are notes. */
function footnotesStart(text: string, paras: { start: number; end: number }[]): number {
  for (let i = 0; i < paras.length; i++) {
    if (!text.startsWith("1:", paras[i]!.start) || !FOOTNOTE.test(text.slice(paras[i]!.start, paras[i]!.start + 6))) continue;
    const rest = paras.slice(i);
    const notes = rest.filter((p) => FOOTNOTE.test(text.slice(p.start, p.start + 6))).length;
    if (notes >= rest.length / 2) return i;
  }
  return paras.length;
}

/** Pieces of a long paragraph, cut at sentence ends, each at most about `max` words. */
function pieces(text: string, start: number, end: number, max: number): { start: number; end: number }[] {
  const words = countWords(text.slice(start, end));
  if (words <= max) return [{ start, end }];
  const count = Math.ceil(words / max);
  const target = words / count;
  const out: { start: number; end: number }[] = [];
  const ends = /[.!?;]["”’')\]]?(?=\s)/g;
  ends.lastIndex = start;
  let from = start;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = ends.exec(text)) !== null && m.index < end) {
    const cut = m.index + m[0].length;
    const w = countWords(text.slice(from, cut));
    if (w >= target || (n + 1 < count && w >= max)) {
      out.push({ start: from, end: cut });
      from = cut;
      while (from < end && /\s/.test(text[from]!)) from++;
      n++;
    }
  }
  if (from < end) {
    const last = { start: from, end };
    // A short tail joins the piece before it.
    if (out.length > 0 && countWords(text.slice(from, end)) < target / 3) out[out.length - 1]!.end = end;
    else out.push(last);
  }
  // A paragraph without sentence ends: cut at words.
  return out.flatMap((p) => (countWords(text.slice(p.start, p.end)) > max * 1.5 ? cutAtWords(text, p.start, p.end, max) : [p]));
}

function cutAtWords(text: string, start: number, end: number, max: number): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  const re = /\S+/g;
  re.lastIndex = start;
  let from = start;
  let n = 0;
  let last = start;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null && m.index < end) {
    if (n === 0) from = m.index;
    n++;
    last = m.index + m[0].length;
    if (n === max) {
      out.push({ start: from, end: last });
      n = 0;
    }
  }
  if (n > 0) out.push({ start: from, end: last });
  return out;
}

export function cutPassages(text: string, options: Partial<CutOptions> = {}): CutPassage[] {
  const o = { ...DEFAULT_CUT, ...options };
  const paras = paragraphs(text);
  const stop = footnotesStart(text, paras);
  const out: CutPassage[] = [];
  let section: string | null = null;
  for (let i = 0; i < stop; i++) {
    const p = paras[i]!;
    const head = SECTION.exec(text.slice(p.start, p.start + 8));
    if (head) section = head[1]!;
    if (countWords(text.slice(p.start, p.end)) < o.minWords) continue;
    for (const piece of pieces(text, p.start, p.end, o.maxWords)) {
      const slice = text.slice(piece.start, piece.end);
      out.push({ ordinal: out.length, paragraph: i + 1, section, start: piece.start, end: piece.end, words: countWords(slice), text: slice });
    }
  }
  return out;
}
