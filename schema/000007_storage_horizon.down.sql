DROP INDEX IF EXISTS idempotency_keys_created_at_idx;
DROP INDEX IF EXISTS sessions_expires_at_idx;
DROP TABLE IF EXISTS failed_logins;
