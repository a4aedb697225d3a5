// The one word counter: an entry's `words`, each section's, the paragraph plan, the chunker, the
// validators' `structure/word-count` and the edge all count with it, so their figures agree.
//
// A word is a run of non-space characters holding at least one letter or digit, as a word processor
// counts: "Rom 8:29-30 (cf. 1 Cor 15)" is 6 words, "God-bearer" 1, "A.D. 325" 2, "e.g." 1, and a
// dash or a bullet standing alone is none. Spaces are Unicode's White_Space, NO-BREAK SPACE (the
// house indent) included.

/** Unicode White_Space above ASCII (plus the BOM, which JavaScript's \s also treats as space). */
const wideSpaces = new Set([0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);
const letterOrDigit = /^[\p{L}\p{N}]$/u;
const wideKinds = new Map<number, boolean>();

function isWideLetterOrDigit(codePoint: number): boolean {
  let known = wideKinds.get(codePoint);
  if (known === undefined) {
    known = letterOrDigit.test(String.fromCodePoint(codePoint));
    if (wideKinds.size < 4096) wideKinds.set(codePoint, known);
  }
  return known;
}

/** Words in `text`, or in `text.slice(from, to)` without copying it. */
export function countWords(text: string, from = 0, to = text.length): number {
  let count = 0;
  let inWord = false;
  let hasLetter = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if (c === 32 || (c >= 9 && c <= 13)) {
        if (hasLetter) count++;
        inWord = hasLetter = false;
      } else {
        inWord = true;
        if (!hasLetter && ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122))) hasLetter = true;
      }
      continue;
    }
    if (wideSpaces.has(c)) {
      if (hasLetter) count++;
      inWord = hasLetter = false;
      continue;
    }
    inWord = true;
    if (!hasLetter) {
      const codePoint = text.codePointAt(i)!;
      if (isWideLetterOrDigit(codePoint)) hasLetter = true;
      if (codePoint > 0xffff) i++;
    }
  }
  if (inWord && hasLetter) count++;
  return count;
}
