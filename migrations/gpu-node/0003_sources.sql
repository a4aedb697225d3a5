CREATE TABLE `src_bible_books` (
	`id` text PRIMARY KEY NOT NULL,
	`translation` text NOT NULL,
	`book` text NOT NULL,
	`name` text NOT NULL,
	`origin` text NOT NULL,
	`licence` text,
	`content_hash` text NOT NULL,
	`verses` integer NOT NULL,
	`imported_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `src_bible_books_translation` ON `src_bible_books` (`translation`);--> statement-breakpoint
CREATE TABLE `src_passages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`work_id` text NOT NULL,
	`author_ref` text NOT NULL,
	`ordinal` integer NOT NULL,
	`paragraph` integer NOT NULL,
	`section` text,
	`start` integer NOT NULL,
	`end` integer NOT NULL,
	`words` integer NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`work_id`) REFERENCES `src_works`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `src_passages_work` ON `src_passages` (`work_id`,`ordinal`);--> statement-breakpoint
CREATE INDEX `src_passages_author` ON `src_passages` (`author_ref`);--> statement-breakpoint
CREATE TABLE `src_state` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `src_verses` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`book_id` text NOT NULL,
	`translation` text NOT NULL,
	`book` text NOT NULL,
	`chapter` integer NOT NULL,
	`verse` integer NOT NULL,
	`text` text NOT NULL,
	FOREIGN KEY (`book_id`) REFERENCES `src_bible_books`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `src_verses_place` ON `src_verses` (`translation`,`book`,`chapter`,`verse`);--> statement-breakpoint
CREATE INDEX `src_verses_book` ON `src_verses` (`book_id`);--> statement-breakpoint
CREATE TABLE `src_works` (
	`id` text PRIMARY KEY NOT NULL,
	`author` text NOT NULL,
	`author_ref` text NOT NULL,
	`work` text NOT NULL,
	`title` text NOT NULL,
	`part` text,
	`part_number` text,
	`year` integer,
	`series` text,
	`source_url` text,
	`licence` text,
	`origin` text NOT NULL,
	`content_hash` text NOT NULL,
	`words` integer NOT NULL,
	`passages` integer NOT NULL,
	`imported_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `src_works_author_ref` ON `src_works` (`author_ref`);