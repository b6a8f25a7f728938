--: IdempotencyRecord(response_status?, response_body?)

--! get_idempotency_record : IdempotencyRecord
--- The stored outcome of an earlier request with the same (caller, key).
SELECT caller, key, request_fingerprint, response_status, response_body, created_at
FROM idempotency_keys
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
