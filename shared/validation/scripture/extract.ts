// Finds Scripture references in prose: "John 1:14", "2 Peter 1:4", "Psalm 82:6 (LXX 81:6)",
// "Romans 8:29-30; 12:1", "Genesis 1-3", and the 19th-century style of the sources themselves, with
// Roman chapters: "Phil. iv. 7", "1 Cor. ii. 9", "Ps. xxii. 1 (LXX)", "Matt. v. 3-12". A cheap
// candidate pattern finds book-like words before numbers; book names are then resolved through the
// canon (see canon.ts).
import type { AlternateNumbering, Block, ScriptureReference } from "../types.ts";
import { isSingleChapter, resolveBook, resolveBookStrict } from "./canon.ts";
import { resolveWork } from "../patristic/citation-index.ts";
import { romanValue } from "../../text/roman.ts";
import canon from "../../data/canon.json" with { type: "json" };

const ORD = String.raw`(?:[1-4]|I{1,3}|IV|First|Second|Third|Fourth|1st|2nd|3rd|4th)[ \u00a0]+`;
const WORD = String.raw`[A-Z][a-z]+\.?`;
const NAME = String.raw`(?:${ORD})?${WORD}(?:[ \u00a0]+(?:of|the|and|${WORD})){0,6}`;
const NUM = String.raw`\d{1,3}`;
const DASH = String.raw`[-\u2010-\u2015]`;
/** Groups: 1 name, 2 chapter, 3 verse, 4 end (verse or chapter), 5 end verse. */
const CANDIDATE = new RegExp(
  String.raw`(?<![A-Za-z\u00c0-\u024f\d])(${NAME})[ \u00a0]+(${NUM})(?::(${NUM})[a-c]?)?(?:${DASH}(${NUM})(?::(${NUM}))?[a-c]?)?(?![\d:])`,
  "g",
);
/** A continuation of the same book: ", 14", "; 3:16", ", 18-20". */
const CONTINUATION = new RegExp(String.raw`^([,;][ \u00a0]*)(${NUM})(?::(${NUM}))?[a-c]?(?:${DASH}(${NUM})(?::(${NUM}))?)?(?![\d:A-Za-z\u00c0-\u024f])(?![ \u00a0]+[A-Z])`);
/** "(LXX 81:6)", "(MT 82:6)", "(Septuagint 81)". */
const ALTERNATE = new RegExp(String.raw`^[ \u00a0]*\((LXX|Septuagint|Greek|MT|Masoretic|Hebrew|Heb\.?)[ \u00a0]+(${NUM})(?::(${NUM}))?(?:${DASH}${NUM})?\)`);
/** "(LXX)" alone: the reference itself follows that numbering ("Ps. xxii. 1 (LXX)"). */
const NUMBERING = /^[ \u00a0]*\((LXX|Septuagint|Greek|MT|Masoretic|Hebrew|Heb\.?)\)/;
/**
 * A Roman chapter and its verse(s), the anchor of an old-style reference: groups 1 Roman chapter,
 * 2 verse, 3 end verse ("iv. 7", "v. 3-12", "VII 10-14"). The book's name is then read backwards
 * from the anchor, so the costly name pattern runs only where such an anchor is.
 */
const ROMAN_ANCHOR = new RegExp(String.raw`(?<![A-Za-z\u00c0-\u024f\d])([ivxlc]{1,8}|[IVXLC]{1,8})\.?[ \u00a0]+(${NUM})[a-c]?(?:${DASH}(${NUM})[a-c]?)?(?![\d:])`, "g");
/** The name right before an anchor: "Phil. ", "1 Cor. ", "Isaiah ". */
const NAME_BEFORE = new RegExp(String.raw`(?<![A-Za-z\u00c0-\u024f\d])(${NAME})[ \u00a0]+$`);

/** Case-sensitive: "MT" (Masoretic Text) is not a book, "Mt" (Matthew) is. */
const NOT_BOOKS = new Set(canon.notBooks);
const LEAD_WORDS = new Set(canon.leadWords.map((w) => w.toLowerCase()));

function numberOrUndefined(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Number(s);
}

interface Resolved {
  osis: string | null;
  /** Offset inside the candidate name where the book name starts. */
  skip: number;
}

/** Resolve the longest suffix of the name that is a book ("In Romans" gives "Romans"). */
function resolveName(name: string, strict: boolean): Resolved {
  const words = [...name.matchAll(/\S+/g)];
  for (let i = 0; i < words.length; i++) {
    const from = words[i]!.index;
    const rest = name.slice(from);
    const osis = strict ? resolveBookStrict(rest) : resolveBook(rest);
    if (osis) return { osis, skip: from };
  }
  // Unknown: report from the first word that is not a sentence-opening function word.
  let skip = 0;
  for (const w of words) {
    if (LEAD_WORDS.has(w[0].toLowerCase()) && w !== words[words.length - 1]) skip = w.index + w[0].length + 1;
    else break;
  }
  return { osis: null, skip: Math.min(skip, name.length) };
}

function isWorkTitle(name: string): boolean {
  const words = name.split(/[ \u00a0]+/);
  for (let i = 0; i < words.length; i++) if (resolveWork(words.slice(i).join(" ")).works.length > 0) return true;
  return false;
}

export function extractScripture(text: string, blocks: readonly Block[]): ScriptureReference[] {
  const out: ScriptureReference[] = [];
  for (const block of blocks) {
    if (block.kind === "code" || block.kind === "html" || block.kind === "title") continue;
    const before = out.length;
    scanBlock(text, block.start, block.end, out);
    scanRomanBlock(text, block.start, block.end, out, before);
  }
  return out;
}

/** The numbering a parenthesis after a reference names: "(LXX 81:6)" or a bare "(LXX)". */
function readNumbering(ref: ScriptureReference, after: string, end: number): number {
  const alt = ALTERNATE.exec(after);
  if (alt) {
    const altStart = end + alt[0].indexOf("(");
    const altEnd = end + alt[0].length;
    const scheme: AlternateNumbering["versification"] = /^(LXX|Septuagint|Greek)$/.test(alt[1]!) ? "lxx" : "mt";
    ref.alternate = { start: altStart, end: altEnd, versification: scheme, chapter: Number(alt[2]) };
    if (alt[3] !== undefined) ref.alternate.verse = Number(alt[3]);
    return altEnd;
  }
  const bare = NUMBERING.exec(after);
  if (bare) {
    ref.numbering = /^(LXX|Septuagint|Greek)$/.test(bare[1]!) ? "lxx" : "mt";
    return end + bare[0].length;
  }
  return end;
}

/**
 * References with Roman chapters, as the Schaff translations print them. Only a book name the
 * canon resolves counts: "Henry V. 3" or "Part II. 4" is no reference, and unlike "Henry 5:3" it is
 * not reported as an unknown book, since a Roman numeral after a name is common in other senses.
 */
function scanRomanBlock(text: string, from: number, to: number, out: ScriptureReference[], blockStart: number): void {
  const chunk = text.slice(from, to);
  if (!/\d/.test(chunk)) return;
  const taken = out.slice(blockStart).map((r) => [r.start, r.end] as const);
  const found: ScriptureReference[] = [];
  ROMAN_ANCHOR.lastIndex = 0;
  let a: RegExpExecArray | null;
  while ((a = ROMAN_ANCHOR.exec(chunk)) !== null) {
    const chapter = romanValue(a[1]!.toUpperCase());
    if (chapter === undefined) continue;
    const lookback = Math.max(0, a.index - 80);
    const named = NAME_BEFORE.exec(chunk.slice(lookback, a.index));
    if (!named) continue;
    const name = named[1]!;
    const lastWord = /(\S+)$/.exec(name)![1]!.replace(/\.$/, "");
    if (NOT_BOOKS.has(lastWord)) continue;
    const resolved = resolveName(name, false);
    if (!resolved.osis) continue;
    const start = from + lookback + named.index + resolved.skip;
    const matchEnd = from + a.index + a[0].length;
    if (taken.some(([s, e]) => start < e && matchEnd > s)) continue;
    let ref: ScriptureReference = { start, end: matchEnd, text: "", book: resolved.osis, chapter, verse: Number(a[2]) };
    if (a[3] !== undefined) ref.endVerse = Number(a[3]);
    const end = readNumbering(ref, chunk.slice(a.index + a[0].length), matchEnd);
    ref.end = end;
    ref.text = text.slice(start, end);
    found.push(ref);
    // "Gen. i. 26, 27": bare verse numbers continue the same chapter.
    let pos = end - from;
    for (;;) {
      const c = ROMAN_CONTINUATION.exec(chunk.slice(pos));
      if (!c) break;
      const cStart = from + pos + c[1]!.length;
      const cEnd = from + pos + c[0].length;
      ref = { start: cStart, end: cEnd, text: text.slice(cStart, cEnd), book: resolved.osis, chapter, verse: Number(c[2]) };
      if (c[3] !== undefined) ref.endVerse = Number(c[3]);
      found.push(ref);
      pos += c[0].length;
    }
    ROMAN_ANCHOR.lastIndex = pos;
  }
  if (found.length === 0) return;
  out.push(...found);
  // Keep the block's references in reading order.
  const block = out.splice(blockStart).sort((a, b) => a.start - b.start);
  out.push(...block);
}

/** ", 27" or ", 27-29" after a Roman reference, not followed by a chapter numeral or a name. */
const ROMAN_CONTINUATION = new RegExp(String.raw`^(,[ \u00a0]*)(${NUM})(?:${DASH}(${NUM}))?(?![\d:A-Za-z\u00c0-\u024f.])(?![ \u00a0]+[A-Z])`);

function scanBlock(text: string, from: number, to: number, out: ScriptureReference[]): void {
  const chunk = text.slice(from, to);
  if (!/\d/.test(chunk)) return; // no numbers, no references
  CANDIDATE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = CANDIDATE.exec(chunk)) !== null) {
    const name = m[1]!;
    const hasVerse = m[3] !== undefined;
    const lastWord = /(\S+)$/.exec(name)![1]!.replace(/\.$/, "");
    if (NOT_BOOKS.has(lastWord)) {
      // "Oration 29:3", "Canon 28": numbered parts of other works, not books of the Bible.
      continue;
    }
    const resolved = resolveName(name, !hasVerse);
    if (!resolved.osis && !hasVerse) {
      // "In 1 Cor..." read as the chapter-only reference "In 1": retry from the number.
      CANDIDATE.lastIndex = m.index + name.length + 1;
      continue;
    }
    if (!resolved.osis && /^(?:LXX|Septuagint|MT|Masoretic|Hebrew|Greek)$/.test(name)) continue;
    // "Against Heresies 3:19": a patristic work cited with a colon, not a book of the Bible.
    if (!resolved.osis && isWorkTitle(name)) continue;
    const start = from + m.index + resolved.skip;
    let end = from + m.index + m[0].length;
    const base = {
      book: resolved.osis ?? name.slice(resolved.skip),
      ...(resolved.osis ? {} : { unknownBook: true }),
    };
    let chapter = Number(m[2]);
    let verse = numberOrUndefined(m[3]);
    let endChapter: number | undefined;
    let endVerse: number | undefined;
    if (m[4] !== undefined) {
      if (m[5] !== undefined) {
        endChapter = Number(m[4]);
        endVerse = Number(m[5]);
      } else if (verse !== undefined) endVerse = Number(m[4]);
      else endChapter = Number(m[4]);
    }
    // "Jude 3" and "Philemon 25" name verses of a one-chapter book.
    if (resolved.osis && verse === undefined && isSingleChapter(resolved.osis)) {
      verse = chapter;
      if (endChapter !== undefined) {
        endVerse = endChapter;
        endChapter = undefined;
      }
      chapter = 1;
    }
    const ref: ScriptureReference = { start, end, text: "", ...base, chapter };
    if (verse !== undefined) ref.verse = verse;
    if (endChapter !== undefined) ref.endChapter = endChapter;
    if (endVerse !== undefined) ref.endVerse = endVerse;
    end = readNumbering(ref, chunk.slice(m.index + m[0].length), end);
    ref.end = end;
    ref.text = text.slice(start, end);
    out.push(ref);
    // Continuations inherit the book (and the chapter, for bare verse numbers).
    let pos = end - from;
    let currentChapter = endChapter ?? chapter;
    let versesFollow = verse !== undefined;
    for (;;) {
      const c = CONTINUATION.exec(chunk.slice(pos));
      if (!c) break;
      const cStart = from + pos + c[1]!.length;
      const cEnd = from + pos + c[0].length;
      const cont: ScriptureReference = { start: cStart, end: cEnd, text: text.slice(cStart, cEnd), ...base, chapter: currentChapter };
      if (c[3] !== undefined) {
        cont.chapter = Number(c[2]);
        cont.verse = Number(c[3]);
      } else if (versesFollow) cont.verse = Number(c[2]);
      else cont.chapter = Number(c[2]);
      if (c[4] !== undefined) {
        if (c[5] !== undefined) {
          cont.endChapter = Number(c[4]);
          cont.endVerse = Number(c[5]);
        } else if (cont.verse !== undefined) cont.endVerse = Number(c[4]);
        else cont.endChapter = Number(c[4]);
      }
      currentChapter = cont.endChapter ?? cont.chapter;
      versesFollow = cont.verse !== undefined;
      out.push(cont);
      pos += c[0].length;
    }
    CANDIDATE.lastIndex = pos;
  }
}
