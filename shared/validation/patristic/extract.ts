// Finds patristic citations in the house form "St. Athanasius, *On the Incarnation* 54", and the
// variants "St. Basil's *On the Holy Spirit*" and "St. Athanasius argues in *On the Incarnation*",
// then citations in running prose without italics (prose.ts). Only citations whose author is in
// the citation index are kept: a modern author's book or an emphasised word is not the index's
// business. Titles resolve against the document's catalog (the index, plus a library's titles).
import type { OpusDocument, PatristicCitation } from "../types.ts";
import { findAuthorMentions, resolveAuthor } from "./citation-index.ts";
import { extractProseCitations } from "./prose.ts";

/** A single-asterisk italic span on one line (bold `**` is skipped). */
const ITALIC = /(?<![*\\])\*(?![*\s])([^*\n]{2,160}?)(?<!\s)\*(?!\*)/g;
const NAME_BEFORE_COMMA = /((?:(?:St|Sts|Saint|Blessed|Bl|Abba|Elder|Pope|Patriarch|Archbishop|Bishop|Metropolitan|Father|Fr)\.?[ \u00a0]+)?[\p{Lu}][\p{L}'’-]*\.?(?:[ \u00a0]+(?:of|the|von|de|la|[\p{Lu}][\p{L}'’-]*\.?))*)[ \u00a0]*[,(][ \u00a0]*$/u;
const NAME_POSSESSIVE = /((?:(?:St|Saint|Blessed)\.?[ \u00a0]+)?[\p{Lu}][\p{L}'’-]*(?:[ \u00a0]+(?:of|the|[\p{Lu}][\p{L}'’-]*))*)['’]s?[ \u00a0]+$/u;
const IN_HIS = /^[^.;:!?()]{0,80}\bin[ \u00a0]+(?:his[ \u00a0]+|her[ \u00a0]+)?$/;
const ENDS_IN_HIS = /\bin[ \u00a0]+(?:his[ \u00a0]+|her[ \u00a0]+)?$/;
const LOCATOR = /^[ \u00a0]*,?[ \u00a0]*((?:[IVXLC]+|\d+)(?:[.:]\d+)*(?:[-\u2013]\d+)?)(?![\p{L}\d])/u;

export function extractPatristic(doc: OpusDocument): PatristicCitation[] {
  const italic = extractItalic(doc);
  const prose = extractProseCitations(doc, doc.catalog, italic);
  return prose.length === 0 ? italic : [...italic, ...prose].sort((a, b) => a.start - b.start);
}

function extractItalic(doc: OpusDocument): PatristicCitation[] {
  const resolveWork = (title: string) => doc.catalog.resolve(title);
  const out: PatristicCitation[] = [];
  const text = doc.text;
  for (const p of doc.paragraphs) {
    if (p.content.indexOf("*") === -1) continue;
    const content = p.content;
    ITALIC.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = ITALIC.exec(content)) !== null) {
      let rawTitle = m[1]!;
      const italicStart = p.contentStart + m.index;
      const workStart = italicStart + 1;
      const sentence = doc.sentences[doc.sentenceAt(italicStart)];
      const sentenceStart = sentence ? Math.max(0, sentence.start - p.contentStart) : 0;
      const prefix = content.slice(Math.max(sentenceStart, m.index - 160), m.index);
      let author: { ids: string[]; start: number; text: string } | null = null;
      const named = NAME_BEFORE_COMMA.exec(prefix) ?? NAME_POSSESSIVE.exec(prefix);
      if (named) {
        const raw = named[1]!;
        const r = resolveAuthor(raw);
        if (r.ids.length > 0) {
          const start = p.contentStart + (m.index - prefix.length) + named.index + r.skip;
          author = { ids: r.ids, start, text: raw.slice(r.skip).replace(/[ \u00a0]+$/, "") };
        }
      }
      if (!author && ENDS_IN_HIS.test(prefix)) {
        // "St. Athanasius argues in *On the Incarnation*": the nearest author named before "in".
        const mentions = findAuthorMentions(prefix, p.contentStart + m.index - prefix.length);
        const last = mentions[mentions.length - 1];
        if (last && IN_HIS.test(text.slice(last.end, italicStart))) {
          const r = resolveAuthor(text.slice(last.start, last.end));
          if (r.ids.length > 0) author = { ids: r.ids, start: last.start, text: text.slice(last.start, last.end) };
        }
      }
      if (!author) continue;
      // A locator typed inside the italics ("*Oration 29*") is moved out of the title.
      let locator: string | undefined;
      const inner = /^(.*?)[ \u00a0]+((?:\d+)(?:[.:]\d+)*)$/.exec(rawTitle);
      if (inner && resolveWork(rawTitle).works.length === 0) {
        rawTitle = inner[1]!;
        locator = inner[2]!;
      }
      const after = LOCATOR.exec(content.slice(m.index + m[0].length));
      if (after && locator === undefined) locator = after[1]!;
      const resolved = resolveWork(locator !== undefined && inner ? `${rawTitle} ${locator}` : rawTitle);
      const work = resolved.works.length > 0 || resolved.generic ? resolved : resolveWork(rawTitle);
      const end = p.contentStart + m.index + m[0].length + (after ? after[0].length : 0);
      const citation: PatristicCitation = {
        start: author.start,
        end,
        author: author.text,
        authorStart: author.start,
        work: rawTitle,
        workStart,
        authorIds: author.ids,
        workIds: work.works.map((w) => w.id),
        generic: work.generic,
      };
      if (locator !== undefined) citation.locator = locator;
      out.push(citation);
    }
  }
  return out;
}
