CREATE TABLE `pipeline_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`job` text NOT NULL,
	`status` text NOT NULL,
	`draft` text,
	`event_seq` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `pipeline_steps` (
	`job_id` text NOT NULL,
	`key` text NOT NULL,
	`kind` text NOT NULL,
	`reason` text,
	`tokens` integer DEFAULT 0 NOT NULL,
	`duration_ms` integer DEFAULT 0 NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`job_id`, `key`)
);
