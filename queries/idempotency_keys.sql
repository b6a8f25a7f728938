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

--: RememberedOutcome()

--! remember_transfer_outcome : RememberedOutcome
--- The last statement of a keyed transfer, after `decide_keyed_transfer` (which claimed
--- (caller, key)) and the writes, in the same transaction: when the verdict was 'ok',
--- it stores the response on the claimed key, found through the primary key (ON
--- CONFLICT). The accounts are locked by this transaction, so their newest entries are
--- the two it wrote (every entry is written under its account's row lock), and the
--- transfer is this session's last (`currval`). A refusal stores nothing: the claim
--- stays without a response, which the next request with the key takes over.
INSERT INTO idempotency_keys AS k (caller, key, request_fingerprint, response_status, response_body)
SELECT :caller, :key, :request_fingerprint, 201, jsonb_build_object(
  'transfer', (
    SELECT to_jsonb(t) FROM (
      SELECT id, from_account_id, to_account_id, amount, created_at
      FROM transfers WHERE id = (SELECT currval('transfers_id_seq'))) t),
  'from_account', (
    SELECT to_jsonb(a) FROM (
      SELECT id, owner, balance, currency, created_at
      FROM accounts WHERE id = :from_account_id) a),
  'to_account', (
    SELECT to_jsonb(a) FROM (
      SELECT id, owner, balance, currency, created_at
      FROM accounts WHERE id = :to_account_id) a),
  'from_entry', (
    SELECT to_jsonb(e) FROM (
      SELECT id, account_id, amount, created_at
      FROM entries WHERE account_id = :from_account_id
      ORDER BY id DESC LIMIT 1) e),
  'to_entry', (
    SELECT to_jsonb(e) FROM (
      SELECT id, account_id, amount, created_at
      FROM entries WHERE account_id = :to_account_id
      ORDER BY id DESC LIMIT 1) e))
WHERE current_setting('simplebank.transfer_verdict', true) = 'ok'
ON CONFLICT (caller, key) DO UPDATE
SET response_status = EXCLUDED.response_status,
    response_body = EXCLUDED.response_body
RETURNING k.response_status;
