--: IdempotencyRecord(response_status?, response_body?)

--! reserve_idempotency_key : IdempotencyRecord
--- Claims (caller, key) for this transaction. Returns no row when the key is taken;
--- a concurrent claim of the same key waits here until the holder commits or rolls back.
--- A key older than `ttl_seconds` counts as absent: its row is taken over as new, in
--- the same statement, so the purge need not have run.
INSERT INTO idempotency_keys AS k (caller, key, request_fingerprint)
VALUES (:caller, :key, :request_fingerprint)
ON CONFLICT (caller, key) DO UPDATE
SET request_fingerprint = EXCLUDED.request_fingerprint,
    response_status = NULL,
    response_body = NULL,
    created_at = now()
WHERE k.created_at <= now() - make_interval(secs => :ttl_seconds)
RETURNING caller, key, request_fingerprint, response_status, response_body, created_at;

--! get_idempotency_record : IdempotencyRecord
--- The stored outcome of an earlier request with the same (caller, key).
SELECT caller, key, request_fingerprint, response_status, response_body, created_at
FROM idempotency_keys
WHERE caller = :caller AND key = :key;

--! complete_idempotency_key
--- Stores the response of the request that reserved the key, in the same transaction.
UPDATE idempotency_keys
SET response_status = :response_status,
    response_body = :response_body
WHERE caller = :caller AND key = :key;

--! purge_expired_idempotency_keys
--- Deletes at most `batch_size` keys older than `ttl_seconds`. A key a transfer is
--- taking over right now is locked and skipped.
DELETE FROM idempotency_keys
WHERE ctid = ANY(ARRAY(
  SELECT ctid FROM idempotency_keys
  WHERE created_at <= now() - make_interval(secs => :ttl_seconds)
  ORDER BY created_at
  LIMIT :batch_size
  FOR UPDATE SKIP LOCKED));
