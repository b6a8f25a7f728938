-- A keyed transfer's claim no longer checks its caller against users. The caller is
-- the username of a verified token, users are never deleted, and a key is a
-- response cached for IDEMPOTENCY_KEY_TTL, not part of the ledger. The check cost
-- every keyed transfer a FOR KEY SHARE lock on its user's row (a write to that row,
-- and a multixact when the same user's transfers overlap): about a tenth of
-- PostgreSQL's work on that path (make bench).
ALTER TABLE idempotency_keys DROP CONSTRAINT IF EXISTS idempotency_keys_caller_fkey;
