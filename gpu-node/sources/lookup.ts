// The library as the quotation rules see it (shared/validation/quotation/lookup.ts), answered
// from libSQL: FTS5 finds the candidate passages and verses, the rules score them.
import type { SourceLookup, SourceTitle, SourceVerse, VerseRange } from "../../shared/validation/quotation/lookup.ts";
import type { SourceStore } from "./store.ts";
import { matchTokens } from "../../shared/validation/quotation/normalize.ts";

/** Words of a quotation searched for: its rarest, so common words do not swamp the ranking. */
const SEARCH_TERMS = 12;
/** Words in each run of a quotation searched for as a phrase. */
const PHRASE = 5;
/** With this many rare words, ranking by them finds the passage (200 of 200 exact quotations). */
const RARE_ENOUGH = 4;

export type StoreLookup = SourceLookup & { invalidate(): void };

export function createSourceLookup(store: SourceStore, authorRefs: () => Promise<Set<string>>): StoreLookup {
  let titles: Promise<SourceTitle[]> | undefined;
  return {
    invalidate() {
      titles = undefined;
    },
    async quotationCandidates(text, options = {}) {
      const limit = options.limit ?? 24;
      const { terms, rare } = await store.chooseTerms("src_passages_vocab", text, SEARCH_TERMS);
      const ranked = await store.rankPassages(terms, limit, options.authorRefs);
      if (rare >= RARE_ENOUGH) return store.passagesByIds(ranked);
      // A quotation of common words has nothing rare to rank by: search its runs of five words
      // (from the start, middle and end) as phrases too; an exact or lightly edited quotation keeps one.
      const words = matchTokens(text);
      const runs = words.length < PHRASE ? [] : [...new Set([0, Math.floor((words.length - PHRASE) / 2), words.length - PHRASE])].map((at) => words.slice(at, at + PHRASE));
      const phrased = await store.phrasePassages(runs, Math.ceil(limit / 2), options.authorRefs);
      return store.passagesByIds([...new Set([...phrased, ...ranked])]);
    },
    nextPassage: (passage) => store.nextPassage(passage.id),
    authorRefs,
    async verses(range: VerseRange): Promise<SourceVerse[]> {
      // Greek Esther and Psalm 151 are books of their own in the sources.
      const books = range.book === "Esth" ? ["Esth", "GkEsth"] : range.book === "Ps" && range.chapter === 151 ? ["Ps151"] : [range.book];
      const chapter = books[0] === "Ps151" ? 1 : range.chapter;
      const endChapter = books[0] === "Ps151" ? 1 : (range.endChapter ?? range.chapter);
      const from = { chapter, verse: range.verse ?? 0 };
      const to = { chapter: endChapter, verse: range.endVerse ?? (range.endChapter !== undefined || range.verse === undefined ? 999 : range.verse) };
      return store.verses(books, from, to);
    },
    async verseCandidates(text, options = {}) {
      const terms = await store.searchTerms("src_verses_vocab", text, SEARCH_TERMS);
      return store.rankVerses(terms, options.limit ?? 24);
    },
    titles: () => (titles ??= store.titles()),
  };
}
