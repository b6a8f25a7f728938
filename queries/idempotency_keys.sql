--: IdempotencyRecord(response_status?, response_body?)

--! reserve_idempotency_key : IdempotencyRecord
--- Claims (caller, key) for this transaction. Returns no row when the key is taken;
--- a concurrent claim of the same key waits here until the holder commits or rolls back.
INSERT INTO idempotency_keys (caller, key, request_fingerprint)
VALUES (:caller, :key, :request_fingerprint)
ON CONFLICT (caller, key) DO NOTHING
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
