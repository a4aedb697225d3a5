// Words as the quotation checks compare them. Translators and writers spell the same sentence in
// many ways (archaic "saith" and "hath", British "honour", "baptise", footnote digits glued to
// words, curly or straight apostrophes, accents); every form here maps to one token, on both sides
// of the comparison, so only a real change of wording counts as a difference.
// Changing the mapping changes what the sources' full-text index holds: bump NORMALIZER_VERSION,
// and the node re-indexes its library on the next open.

export const NORMALIZER_VERSION = 1;

/** Archaic and variant forms, by whole word, after lower-casing and accent folding. */
const WORD_MAP: Record<string, string> = {
  thee: "you", thou: "you", ye: "you", yourselves: "you", yourself: "you",
  thy: "your", thine: "your", yours: "your",
  hath: "has", hast: "has", have: "has", had: "has",
  doth: "does", dost: "does", do: "does", did: "does", didst: "does",
  saith: "say", says: "say", said: "say", sayest: "say",
  art: "are", wast: "was", wert: "were",
  shalt: "shall", wilt: "will", canst: "can", couldst: "could", wouldst: "would", shouldst: "should", mayest: "may", mightest: "might",
  unto: "to", upon: "on", amongst: "among", whilst: "while", thereof: "of", therein: "in",
  spake: "spoke", shew: "show", shewed: "show", shewn: "show", showed: "show", shown: "show",
  ere: "before", lo: "behold", nay: "no", yea: "yes",
  connexion: "connection", gaol: "jail", grey: "gray",
};

/** Short words that carry little: kept in the token stream, but never chosen as search terms. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  ("a an and are as at be been but by does for from has he her him his i if in into is it its me my no not of on or our " +
    "say shall she so such that the their them then there these they this those to us was we were what when which who whom will with " +
    "would you your all any can may one also than very more most")
    .split(" "),
);

/** Light stemming so inflections and archaic endings meet: "loveth", "loves", "loved" give "lov". */
function stem(word: string): string {
  let w = word;
  if (w.length > 5 && (w.endsWith("eth") || w.endsWith("est"))) w = w.slice(0, -3);
  else if (w.length > 5 && w.endsWith("ing")) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith("ed")) w = w.slice(0, -2);
  else if (w.length > 4 && w.endsWith("es")) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith("s") && !w.endsWith("ss")) w = w.slice(0, -1);
  // British and American spellings: honour/honor, baptise/baptize, -ise/-ize, -yse/-yze.
  if (w.length > 4 && w.endsWith("our")) w = `${w.slice(0, -3)}or`;
  w = w.replace(/is(?=e?$|ation$)/, "iz").replace(/ys(?=e?$)/, "yz");
  // A final silent e is dropped so "love" meets "lov" (from "loved").
  if (w.length > 3 && w.endsWith("e")) w = w.slice(0, -1);
  return w;
}

export interface Token {
  /** The comparable form. */
  norm: string;
  /** UTF-16 offsets of the word in the original text. */
  start: number;
  end: number;
}

const LETTERS = /[\p{L}\p{M}'’]+/gu;

/** Folds one raw word (letters, marks and apostrophes) to its comparable form, or "" to drop it. */
export function normalizeWord(raw: string): string {
  const folded = raw.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/['’]/g, "");
  if (folded.length === 0) return "";
  // Own keys only: "constructor" is a word of the Fathers, not Object.prototype's.
  const mapped = Object.hasOwn(WORD_MAP, folded) ? WORD_MAP[folded]! : folded;
  return stem(mapped);
}

/** The comparable tokens of a text, with where each word stands in it. Digits are dropped. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  LETTERS.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = LETTERS.exec(text)) !== null) {
    // "&c." and stray apostrophes are no words.
    const norm = normalizeWord(m[0]);
    if (norm) out.push({ norm, start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Just the comparable forms. */
export function matchTokens(text: string): string[] {
  return tokenize(text).map((t) => t.norm);
}

/** The text as the full-text index stores it: comparable tokens separated by spaces. */
export function indexText(text: string): string {
  return matchTokens(text).join(" ");
}
