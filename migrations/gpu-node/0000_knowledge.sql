CREATE TABLE `kb_chunks` (
	`key` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`document_id` text NOT NULL,
	`ordinal` integer NOT NULL,
	`section` text NOT NULL,
	`start` integer NOT NULL,
	`end` integer NOT NULL,
	`text_hash` text NOT NULL,
	`embedded` integer NOT NULL,
	FOREIGN KEY (`document_id`) REFERENCES `kb_documents`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `kb_chunks_document` ON `kb_chunks` (`document_id`);--> statement-breakpoint
CREATE INDEX `kb_chunks_text_hash` ON `kb_chunks` (`text_hash`);--> statement-breakpoint
CREATE TABLE `kb_documents` (
	`id` text PRIMARY KEY NOT NULL,
	`title` text NOT NULL,
	`kind` text NOT NULL,
	`markdown` text NOT NULL,
	`content_hash` text NOT NULL,
	`word_count` integer NOT NULL,
	`source_path` text,
	`added_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `kb_index_state` (
	`name` text PRIMARY KEY NOT NULL,
	`embedder_id` text NOT NULL,
	`dimensions` integer NOT NULL,
	`quantization` text NOT NULL,
	`updated_at` integer NOT NULL
);
