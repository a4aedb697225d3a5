// Finds Scripture references in prose: "John 1:14", "2 Peter 1:4", "Psalm 82:6 (LXX 81:6)",
// "Romans 8:29-30; 12:1", "Genesis 1-3". A cheap candidate pattern finds book-like words before
// numbers; book names are then resolved through the canon (see canon.ts).
import type { AlternateNumbering, Block, ScriptureReference } from "../types.ts";
import { isSingleChapter, resolveBook, resolveBookStrict } from "./canon.ts";
import { resolveWork } from "../patristic/citation-index.ts";
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
    scanBlock(text, block.start, block.end, out);
  }
  return out;
}

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
    const alt = ALTERNATE.exec(chunk.slice(m.index + m[0].length));
    if (alt) {
      const altStart = end + alt[0].indexOf("(");
      const altEnd = end + alt[0].length;
      const scheme: AlternateNumbering["versification"] = /^(LXX|Septuagint|Greek)$/.test(alt[1]!) ? "lxx" : "mt";
      ref.alternate = { start: altStart, end: altEnd, versification: scheme, chapter: Number(alt[2]) };
      if (alt[3] !== undefined) ref.alternate.verse = Number(alt[3]);
      end = altEnd;
    }
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
