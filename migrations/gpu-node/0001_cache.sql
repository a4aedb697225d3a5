CREATE TABLE `response_cache` (
	`key` text PRIMARY KEY NOT NULL,
	`model_sha256` text NOT NULL,
	`model_id` text NOT NULL,
	`text` text NOT NULL,
	`tokens` integer NOT NULL,
	`stop_reason` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer NOT NULL,
	`hits` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `response_cache_last_used` ON `response_cache` (`last_used_at`);