CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`key_id` text,
	`key_name` text NOT NULL,
	`action` text NOT NULL,
	`entry_id` text NOT NULL,
	`revision` integer,
	`reason` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_entry` ON `audit_log` (`entry_id`,`id`);--> statement-breakpoint
CREATE TABLE `entry_revisions` (
	`entry_id` text NOT NULL,
	`number` integer NOT NULL,
	`kind` text NOT NULL,
	`base` integer,
	`key_id` text,
	`key_name` text NOT NULL,
	`reason` text,
	`title` text NOT NULL,
	`markdown` text NOT NULL,
	`sections` text NOT NULL,
	`sections_changed` text NOT NULL,
	`words` integer NOT NULL,
	`metadata` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`entry_id`, `number`),
	FOREIGN KEY (`entry_id`) REFERENCES `entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `revision_requests` (
	`entry_id` text NOT NULL,
	`number` integer NOT NULL,
	`base` integer NOT NULL,
	`sections` text NOT NULL,
	`key_id` text NOT NULL,
	`key_name` text NOT NULL,
	`reason` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`entry_id`, `number`),
	FOREIGN KEY (`entry_id`) REFERENCES `entries`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `entries` ADD `revision` integer DEFAULT 0 NOT NULL;
--> statement-breakpoint
-- Hand-written (drizzle-kit has no triggers): the audit log and the revisions are append-only.
CREATE TRIGGER `audit_log_append_only_update` BEFORE UPDATE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `audit_log_append_only_delete` BEFORE DELETE ON `audit_log` BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
--> statement-breakpoint
CREATE TRIGGER `entry_revisions_append_only_update` BEFORE UPDATE ON `entry_revisions` BEGIN SELECT RAISE(ABORT, 'entry_revisions are kept as written'); END;
--> statement-breakpoint
CREATE TRIGGER `entry_revisions_append_only_delete` BEFORE DELETE ON `entry_revisions` BEGIN SELECT RAISE(ABORT, 'entry_revisions are kept as written'); END;
--> statement-breakpoint
-- Entries finished before revisions existed: their text becomes revision 1.
INSERT INTO `entry_revisions` (`entry_id`, `number`, `kind`, `base`, `key_id`, `key_name`, `reason`, `title`, `markdown`, `sections`, `sections_changed`, `words`, `metadata`, `created_at`)
  SELECT c.`entry_id`, 1, 'pipeline', NULL, NULL, 'pipeline', NULL, c.`title`, c.`markdown`, c.`sections`, '[]',
         COALESCE((SELECT SUM(json_extract(s.value, '$.words')) FROM json_each(c.`sections`) s), 0), c.`metadata`, c.`created_at`
  FROM `entry_contents` c;
--> statement-breakpoint
UPDATE `entries` SET `revision` = 1 WHERE `id` IN (SELECT `entry_id` FROM `entry_contents`);
