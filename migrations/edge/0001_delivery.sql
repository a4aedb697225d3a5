CREATE TABLE `gpu_nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`url` text,
	`mode` text NOT NULL,
	`capacity` integer DEFAULT 1 NOT NULL,
	`active` integer DEFAULT 0 NOT NULL,
	`queued` integer DEFAULT 0 NOT NULL,
	`info` text,
	`last_heartbeat_at` integer,
	`registered_at` integer NOT NULL,
	`breaker_state` text DEFAULT 'closed' NOT NULL,
	`breaker_failures` integer DEFAULT 0 NOT NULL,
	`breaker_opened_at` integer,
	`last_error` text
);
--> statement-breakpoint
CREATE TABLE `webhook_attempts` (
	`delivery_id` text NOT NULL,
	`attempt` integer NOT NULL,
	`at` integer NOT NULL,
	`status_code` integer,
	`latency_ms` integer NOT NULL,
	`error` text,
	`next_attempt_at` integer,
	PRIMARY KEY(`delivery_id`, `attempt`)
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`event_id` text NOT NULL,
	`key_id` text NOT NULL,
	`endpoint_id` text,
	`url` text NOT NULL,
	`entry_id` text NOT NULL,
	`event_type` text NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`locked_until` integer,
	`last_status` integer,
	`last_latency_ms` integer,
	`last_error` text,
	`replay_of` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`delivered_at` integer
);
--> statement-breakpoint
CREATE INDEX `webhook_deliveries_due` ON `webhook_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_key` ON `webhook_deliveries` (`key_id`,`id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_entry` ON `webhook_deliveries` (`entry_id`,`event_type`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_endpoints` (
	`id` text PRIMARY KEY NOT NULL,
	`key_id` text NOT NULL,
	`url` text NOT NULL,
	`description` text,
	`events` text NOT NULL,
	`secret` text NOT NULL,
	`previous_secret` text,
	`previous_secret_expires_at` integer,
	`disabled_at` integer,
	`disabled_reason` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `webhook_endpoints_key` ON `webhook_endpoints` (`key_id`);--> statement-breakpoint
CREATE TABLE `webhook_signing_secrets` (
	`key_id` text PRIMARY KEY NOT NULL,
	`secret` text NOT NULL,
	`previous_secret` text,
	`previous_secret_expires_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
ALTER TABLE `entries` ADD `node_id` text;--> statement-breakpoint
ALTER TABLE `entries` ADD `lease_expires_at` integer;--> statement-breakpoint
ALTER TABLE `entries` ADD `dispatch_attempts` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `entries` ADD `dispatched_at` integer;--> statement-breakpoint
ALTER TABLE `entries` ADD `change_token` text;--> statement-breakpoint
CREATE INDEX `entries_node` ON `entries` (`node_id`);