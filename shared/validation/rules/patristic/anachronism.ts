// patristic/anachronism: a Father cited about councils or events after his death, or citing an
// author born after him. Only sentences where the Father is the agent count ("St. Athanasius
// defended the Council of Chalcedon"), not those about his legacy ("St. Cyril's teaching was
// confirmed at Chalcedon", "after his death, ..."), so posthumous reception is not flagged.
import type { IssueDraft, OpusDocument, Validator } from "../../types.ts";
import { findAuthorMentions, findCouncilMentions, getAuthor, getCouncil } from "../../patristic/citation-index.ts";

/** Verbs that make the Father act on the council or event. */
const AGENCY =
  /\b(?:(?:in|from)\s+(?:his|her)\s+(?:treatise|letter|epistle|homily|sermon|oration|discourse|book|work|commentary|account|history|report|apology|defen[cs]e|reply|response)\s+(?:on|about|of|against|to|concerning|in defen[cs]e of)|attend(?:s|ed)?|presid(?:es|ed)|(?:spoke|speaks|argued|argues|debated|stood|was present|were present|appeared|intervened)\s+(?:at|before|in)|address(?:es|ed)|sign(?:s|ed)|participat(?:es|ed)|t(?:ook|akes)\s+part|defend(?:s|ed)|wr(?:ote|ites)\s+(?:about|of|on|against|to)|comment(?:s|ed)\s+on|describ(?:es|ed)|recount(?:s|ed)|recall(?:s|ed)|report(?:s|ed)\s+on|prais(?:es|ed)|criticiz(?:es|ed)|criticis(?:es|ed)|condemn(?:s|ed)|oppos(?:es|ed)|support(?:s|ed)|welcom(?:es|ed)|reject(?:s|ed)|refut(?:es|ed)|summon(?:s|ed)|convok(?:es|ed)|convened|led|explain(?:s|ed)|interpret(?:s|ed)|cit(?:es|ed)|quot(?:es|ed)|refer(?:s|red)\s+to|invok(?:es|ed)|appeal(?:s|ed)\s+to|lament(?:s|ed)|celebrat(?:es|ed)|witness(?:es|ed)|saw|lived\s+through|survived|fought)\b/i;
/** "St. Athanasius at the Council of Chalcedon". */
const PRESENCE = /^[\s,]*(?:was\s+|were\s+)?(?:present\s+)?at\s+(?:the\s+)?$/i;
/** Words that move the subject off the Father or the time after his death. */
const POSTHUMOUS =
  /\b(?:after|later|death|died|dead|posthumous(?:ly)?|centur(?:y|ies)|decades?|years|subsequent(?:ly)?|eventually|would|legacy|memory|followers|disciples|heirs|successors|writings|works?|teachings?|theology|doctrine|formula|thought|ideas?|words|texts?|by|whose|which|that|through|via|reception|tradition|influence)\b|['’]s?\b/i;
/** A passive verb makes the Father the object: "was condemned at the Fifth Ecumenical Council". */
const PASSIVE = /\b(?:was|were|been|being|is|are)\s+(?:\w+ly\s+)?\w+(?:ed|en|wn)\b/i;
/** An author citing another: "St. Athanasius quotes St. John of Damascus". */
const CITING = /\b(?:cit(?:es|ed|ing)|quot(?:es|ed|ing)|refer(?:s|red|ring)\s+to|follow(?:s|ed|ing)|dr(?:aws|ew|awing)\s+on|rel(?:ies|ied|ying)\s+on|respond(?:s|ed|ing)\s+to|answer(?:s|ed|ing)|refut(?:es|ed|ing)|prais(?:es|ed|ing)|read(?:s|ing)?|echo(?:es|ed|ing)|borrow(?:s|ed|ing)\s+from|criticiz(?:es|ed|ing)|criticis(?:es|ed|ing)|agree(?:s|d)?\s+with|disagree(?:s|d)?\s+with|correct(?:s|ed|ing)|learn(?:s|ed|t)\s+from)\b/i;

const MAX_GAP = 120;

export const anachronism: Validator = {
  id: "patristic/anachronism",
  description: "A Father is made to speak of councils or events after his death, or to cite a later author.",
  severity: "error",
  dimension: "citations",
  priority: 82,
  places: ["edge", "gpu"],
  validate(doc: OpusDocument): IssueDraft[] {
    const out: IssueDraft[] = [];
    const text = doc.text;
    for (const s of doc.sentences) {
      if (doc.paragraphs[s.paragraph]!.kind === "blockquote") continue;
      // A name inside a cited title ("in his treatise against Eunomius") is not someone he acts on.
      const titles = doc.patristic.filter((c) => c.workStart >= s.start && c.workStart < s.end).map((c) => [c.workStart, c.workStart + c.work.length] as const);
      const authors = findAuthorMentions(s.text, s.start).filter((m) => !titles.some(([a, b]) => m.start >= a && m.end <= b));
      if (authors.length === 0) continue;
      const councils = findCouncilMentions(s.text, s.start);
      const mentions = [...authors.map((m) => ({ ...m, type: "author" as const })), ...councils.map((m) => ({ ...m, type: "council" as const }))].sort((a, b) => a.start - b.start);
      for (let i = 0; i < mentions.length; i++) {
        const a = mentions[i]!;
        if (a.type !== "author") continue;
        const author = getAuthor(a.id);
        if (author.died === null) continue;
        // The next mention after the author is what he is said to act on.
        const b = mentions[i + 1];
        if (!b || b.start - a.end > MAX_GAP) continue;
        const between = text.slice(a.end, b.start);
        if (doc.inQuotation(a.start) || doc.inQuotation(b.start)) continue;
        if (b.type === "council") {
          const council = getCouncil(b.id);
          const margin = author.circa || council.circa ? 5 : 0;
          if (council.year <= author.died + margin) continue;
          if (POSTHUMOUS.test(between) || PASSIVE.test(between)) continue;
          if (!AGENCY.test(between) && !PRESENCE.test(between)) continue;
          out.push({
            start: a.start,
            end: b.end,
            message: `${author.name} died in ${author.circa ? "c. " : ""}${author.died}, before ${council.name} (${council.year}${council.endYear !== council.year ? `-${council.endYear}` : ""}).`,
            suggestion: "Attribute the statement to a later writer, or make clear it concerns his later reception.",
          });
        } else {
          if (b.id === a.id) continue;
          const cited = getAuthor(b.id);
          if (cited.born === null || cited.born <= author.died + (author.circa || cited.circa ? 5 : 0)) continue;
          if (!CITING.test(between) || /\bby\b|\bwas\b|\bwere\b|\bbeen\b|['’]s?\b/i.test(between)) continue;
          out.push({
            start: a.start,
            end: b.end,
            message: `${author.name} (died ${author.circa ? "c. " : ""}${author.died}) cannot cite ${cited.name}, born ${cited.circa ? "c. " : ""}${cited.born}.`,
            suggestion: "Swap the direction (the later writer cites the earlier) or name the right source.",
          });
        }
      }
    }
    return out;
  },
};
