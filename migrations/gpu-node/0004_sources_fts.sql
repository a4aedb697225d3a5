-- Full-text indexes of the sources library (hand-written: drizzle has no FTS5 type). Contentless
-- (content=''): they hold only the words of each passage and verse as normalised by
-- shared/validation/quotation/normalize.ts, indexed by rowid = src_passages.id / src_verses.id; the
-- text itself stays in those tables. contentless_delete lets a replaced work's rows be deleted.
-- `author` holds one token per passage (the work's author_ref, letters and digits only), so a search
-- within one author's works is an intersection inside the index, not a filter over its results.
CREATE VIRTUAL TABLE `src_passages_fts` USING fts5(`words`, `author`, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
CREATE VIRTUAL TABLE `src_verses_fts` USING fts5(`words`, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
--> statement-breakpoint
-- Document frequency of each word, to pick a quotation's rarest words as search terms.
CREATE VIRTUAL TABLE `src_passages_vocab_col` USING fts5vocab(`src_passages_fts`, 'col');
--> statement-breakpoint
CREATE VIRTUAL TABLE `src_verses_vocab` USING fts5vocab(`src_verses_fts`, 'row');
