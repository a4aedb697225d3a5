// style/banned-phrase: filler and cliches from a configurable list (shared/data/banned-phrases.json).
// Options: `extra` (more phrases, strings or {phrase, suggestion, replacement}) and `allow`
// (phrases to drop from the list). Quotations are left alone: a Father may say what he likes.
import type { IssueDraft, OpusDocument, Validator } from "../../types.ts";
import data from "../../../data/banned-phrases.json" with { type: "json" };

interface Phrase {
  phrase: string;
  suggestion?: string;
  replacement?: string;
}

const compiled = new Map<string, { re: RegExp; byPhrase: Map<string, Phrase> }>();

function escapeWord(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/'/g, "['’]");
}

interface TrieNode {
  end: boolean;
  next: Map<string, TrieNode>;
}

/** Phrases as a word trie turned into one regular expression: shared prefixes are tried once. */
function trieRegex(phrases: readonly string[]): string {
  const root: TrieNode = { end: false, next: new Map() };
  for (const phrase of phrases) {
    let node = root;
    for (const word of phrase.split(" ")) {
      let child = node.next.get(word);
      if (!child) node.next.set(word, (child = { end: false, next: new Map() }));
      node = child;
    }
    node.end = true;
  }
  const build = (node: TrieNode): string => {
    const alts = [...node.next.entries()]
      .sort((a, b) => b[0].length - a[0].length || (a[0] < b[0] ? -1 : 1))
      .map(([word, child]) => {
        if (child.next.size === 0) return escapeWord(word);
        const rest = `(?:[ \u00a0]+${build(child)})`;
        return escapeWord(word) + (child.end ? `${rest}?` : rest);
      });
    return alts.length === 1 ? alts[0]! : `(?:${alts.join("|")})`;
  };
  return build(root);
}

function matcher(options: Readonly<Record<string, unknown>>): { re: RegExp; byPhrase: Map<string, Phrase> } {
  const extra = Array.isArray(options.extra) ? options.extra : [];
  const allow = new Set((Array.isArray(options.allow) ? options.allow : []).map((s) => String(s).toLowerCase()));
  const key = JSON.stringify([extra, [...allow]]);
  const cached = compiled.get(key);
  if (cached) return cached;
  const phrases: Phrase[] = [...(data.phrases as Phrase[])];
  for (const e of extra) {
    if (typeof e === "string") phrases.push({ phrase: e });
    else if (e && typeof e === "object" && typeof (e as Phrase).phrase === "string") phrases.push(e as Phrase);
    else throw new Error("style/banned-phrase: options.extra must hold strings or {phrase, suggestion?, replacement?}");
  }
  const byPhrase = new Map<string, Phrase>();
  for (const p of phrases) {
    const k = p.phrase.toLowerCase().replace(/’/g, "'");
    if (!allow.has(k)) byPhrase.set(k, p);
  }
  const alternation = trieRegex([...byPhrase.keys()]);
  // Word boundaries spelled out for Latin letters: Unicode-mode regular expressions are much slower.
  const re = new RegExp(`(?<![A-Za-z0-9\\u00c0-\\u024f])(?:${alternation || "(?!)"})(?![A-Za-z0-9\\u00c0-\\u024f])`, "gi");
  const value = { re, byPhrase };
  compiled.set(key, value);
  return value;
}

/** Keep the capital of a sentence-initial phrase in its replacement ("In order to" gives "To"). */
function matchCase(original: string, replacement: string): string {
  if (replacement.length === 0) return replacement;
  return /^[A-Z\u00c0-\u00de]/.test(original) ? replacement[0]!.toUpperCase() + replacement.slice(1) : replacement;
}

export const bannedPhrase: Validator = {
  id: "style/banned-phrase",
  description: "Filler and cliches from a configurable list.",
  severity: "warning",
  dimension: "style",
  priority: 40,
  places: ["edge", "gpu"],
  fixable: true,
  defaults: { extra: [], allow: [] },
  validate(doc: OpusDocument, ctx): IssueDraft[] {
    const { re, byPhrase } = matcher(ctx.options);
    const out: IssueDraft[] = [];
    for (const p of doc.paragraphs) {
      if (p.kind === "blockquote") continue;
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(p.content)) !== null) {
        const start = p.contentStart + m.index;
        if (doc.inQuotation(start)) continue;
        const key = m[0].toLowerCase().replace(/’/g, "'").replace(/[ \u00a0]+/g, " ");
        const phrase = byPhrase.get(key);
        const draft: IssueDraft = {
          start,
          end: start + m[0].length,
          message: `"${m[0]}" is on the banned list of filler and cliches.`,
        };
        if (phrase?.suggestion) draft.suggestion = phrase.suggestion;
        if (phrase?.replacement !== undefined) {
          let end = start + m[0].length;
          let text = matchCase(m[0], phrase.replacement);
          if (phrase.replacement === "") {
            // Deleting a sentence opener: drop the following space and capitalise what follows.
            while (doc.text[end] === " ") end++;
            const next = doc.text[end] ?? "";
            if (/^\p{Lu}/u.test(m[0]) && /\p{Ll}/u.test(next)) {
              text = next.toUpperCase();
              end++;
            }
          }
          draft.fix = { description: phrase.replacement === "" ? "delete the phrase" : `replace with "${phrase.replacement}"`, edits: [{ start, end, text }] };
        }
        out.push(draft);
      }
    }
    return out;
  },
};
