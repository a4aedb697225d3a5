ALTER TABLE `pipeline_steps` RENAME TO `entry_steps`;--> statement-breakpoint
ALTER TABLE `pipeline_jobs` RENAME TO `entries`;--> statement-breakpoint
ALTER TABLE `entry_steps` RENAME COLUMN "job_id" TO "entry_id";--> statement-breakpoint
ALTER TABLE `entries` RENAME COLUMN "job" TO "assignment";--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_entry_steps` (
	`entry_id` text NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`reason` text,
	`tokens` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer DEFAULT 0 NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`entry_id`, `key`)
);
--> statement-breakpoint
INSERT INTO `__new_entry_steps`("entry_id", "key", "kind", "reason", "tokens", "duration_ms", "at") SELECT "entry_id", "key", "kind", "reason", "tokens", "duration_ms", "at" FROM `entry_steps`;--> statement-breakpoint
DROP TABLE `entry_steps`;--> statement-breakpoint
ALTER TABLE `__new_entry_steps` RENAME TO `entry_steps`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
ALTER TABLE `entries` ADD `parked` text;