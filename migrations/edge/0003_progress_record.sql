ALTER TABLE `entries` ADD `progress_record` text DEFAULT '{"step":"waiting for a GPU node","progress":0,"words":0,"sections":{"done":0,"total":0},"tokens":0,"eta_seconds":null}' NOT NULL;--> statement-breakpoint
ALTER TABLE `entries` ADD `attempt` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Existing entries keep their figures: the columns become one progress record (dropped in 0004).
UPDATE `entries` SET `progress_record` = json_object(
  'step', coalesce(`step`, ''),
  'progress', `progress`,
  'words', `words`,
  'sections', json_object('done', `sections_done`, 'total', `sections_total`),
  'tokens', `tokens`,
  'eta_seconds', `eta_seconds`
);
