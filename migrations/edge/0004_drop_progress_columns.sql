ALTER TABLE `entries` DROP COLUMN `step`;--> statement-breakpoint
ALTER TABLE `entries` DROP COLUMN `progress`;--> statement-breakpoint
ALTER TABLE `entries` DROP COLUMN `words`;--> statement-breakpoint
ALTER TABLE `entries` DROP COLUMN `sections_done`;--> statement-breakpoint
ALTER TABLE `entries` DROP COLUMN `sections_total`;--> statement-breakpoint
ALTER TABLE `entries` DROP COLUMN `tokens`;--> statement-breakpoint
ALTER TABLE `entries` DROP COLUMN `eta_seconds`;