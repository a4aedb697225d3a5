CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`prefix` text NOT NULL,
	`hash` text NOT NULL,
	`scopes` text NOT NULL,
	`created_at` integer NOT NULL,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash_unique` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE TABLE `entries` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`subject` text NOT NULL,
	`tier` text NOT NULL,
	`category` text NOT NULL,
	`seed` integer,
	`webhook_url` text,
	`status` text NOT NULL,
	`step` text,
	`progress` real DEFAULT 0 NOT NULL,
	`words` integer DEFAULT 0 NOT NULL,
	`sections_done` integer DEFAULT 0 NOT NULL,
	`sections_total` integer DEFAULT 0 NOT NULL,
	`tokens` integer DEFAULT 0 NOT NULL,
	`eta_seconds` real,
	`error` text,
	`transitions` text NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`event_seq` integer DEFAULT 0 NOT NULL,
	`node_url` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `entries_key_created` ON `entries` (`key_id`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `entries_status` ON `entries` (`status`);--> statement-breakpoint
CREATE TABLE `entry_contents` (
	`entry_id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`markdown` text NOT NULL,
	`sections` text NOT NULL,
	`metadata` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`entry_id`) REFERENCES `entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`key_id` text NOT NULL,
	`idempotency_key` text NOT NULL,
	`request_hash` text NOT NULL,
	`entry_id` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch() * 1000) NOT NULL,
	PRIMARY KEY(`key_id`, `idempotency_key`)
);
