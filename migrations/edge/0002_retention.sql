CREATE INDEX `idempotency_keys_created` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_updated` ON `webhook_deliveries` (`updated_at`);