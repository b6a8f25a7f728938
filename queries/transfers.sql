--: Transfer()

--! create_transfer : Transfer
--- Records a transfer; the balances and entries are written in the same transaction.
INSERT INTO transfers (from_account_id, to_account_id, amount)
VALUES (:from_account_id, :to_account_id, :amount)
RETURNING id, from_account_id, to_account_id, amount, created_at;

--! get_transfer : Transfer
--- One transfer by id.
SELECT id, from_account_id, to_account_id, amount, created_at
FROM transfers
WHERE id = :id;

-- vet: allow sort because it is the course's query, kept as the course wrote it for its store tests; the API pages with list_transfers_of_account
--! list_transfers : Transfer
--- A page of transfers from one account to another, oldest first (the course's query).
SELECT id, from_account_id, to_account_id, amount, created_at
FROM transfers
WHERE from_account_id = :from_account_id
   OR to_account_id = :to_account_id
ORDER BY id
LIMIT :limit OFFSET :offset;

--! list_transfers_of_account : Transfer
--- A page of the transfers that touch one account on either side, newest first: those
--- older than `before_id` (i64::MAX for the first page), after skipping `offset` (0 for a
--- keyset page). Each side is one backward range scan of its (account, id) index, cut at
--- `limit + offset` rows, and the two are merged by id (Merge Append): nothing is sorted,
--- whatever the account's history. A transfer to oneself is counted once (from side).
SELECT id, from_account_id, to_account_id, amount, created_at
FROM (
  (SELECT id, from_account_id, to_account_id, amount, created_at
   FROM transfers
   WHERE from_account_id = :account_id
     AND id < :before_id
   ORDER BY id DESC
   LIMIT :limit::bigint + :offset::bigint)
  UNION ALL
  (SELECT id, from_account_id, to_account_id, amount, created_at
   FROM transfers
   WHERE to_account_id = :account_id
     AND from_account_id <> :account_id
     AND id < :before_id
   ORDER BY id DESC
   LIMIT :limit::bigint + :offset::bigint)
) AS history
ORDER BY id DESC
LIMIT :limit OFFSET :offset;

--! get_transfer_with_owners : TransferWithOwners()
--- One transfer and the owners of both its accounts, to decide who may read it.
SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.created_at,
       from_account.owner AS from_owner, to_account.owner AS to_owner
FROM transfers t
JOIN accounts from_account ON from_account.id = t.from_account_id
JOIN accounts to_account ON to_account.id = t.to_account_id
WHERE t.id = :id;

--: MoneyMoved(transfer_id?, transfer_created_at?, from_entry_id?, from_entry_created_at?, to_entry_id?, to_entry_created_at?, from_owner?, from_balance?, from_currency?, from_created_at?, to_owner?, to_balance?, to_currency?, to_created_at?)

-- vet: allow sort because it orders the two entries of one transfer (a VALUES pair per verdict row) before inserting them
--! transfer_money (required_owner?, caller?, idempotency_key?) : MoneyMoved
--- A whole transfer in one statement, so one round trip. It locks both accounts in
--- ascending id order (as every money statement does, so opposite transfers cannot
--- deadlock), decides every rule on the locked rows, and only when the verdict is
--- 'ok' writes the transfer, both entries and both balances. Any other verdict
--- (from_account_not_found, not_owner, to_account_not_found, same_account,
--- currency_mismatch, insufficient_funds) writes nothing. `required_owner` NULL skips
--- the ownership rule. With an idempotency key, the statement runs in the transaction
--- that reserved (caller, key) just before it: without that reservation the verdict
--- is 'key_taken' and nothing is locked; an 'ok' stores the response on the key, any
--- refusal releases the key.
WITH reservation AS MATERIALIZED (
  SELECT :idempotency_key::varchar IS NULL OR EXISTS (
    SELECT FROM idempotency_keys
    WHERE caller = :caller AND key = :idempotency_key AND response_status IS NULL
  ) AS held
),
locked AS MATERIALIZED (
  SELECT id, owner, balance, currency, created_at
  FROM accounts
  WHERE id IN (:from_account_id, :to_account_id) AND (SELECT held FROM reservation)
  ORDER BY id
  FOR NO KEY UPDATE
),
verdict AS MATERIALIZED (
  SELECT CASE
    WHEN NOT (SELECT held FROM reservation) THEN 'key_taken'
    WHEN src.id IS NULL THEN 'from_account_not_found'
    WHEN src.owner <> coalesce(:required_owner, src.owner) THEN 'not_owner'
    WHEN dst.id IS NULL THEN 'to_account_not_found'
    WHEN src.id = dst.id THEN 'same_account'
    WHEN src.currency <> :currency OR dst.currency <> :currency THEN 'currency_mismatch'
    WHEN src.balance < :amount THEN 'insufficient_funds'
    ELSE 'ok'
  END AS verdict
  FROM (SELECT) AS one
  LEFT JOIN locked src ON src.id = :from_account_id
  LEFT JOIN locked dst ON dst.id = :to_account_id
),
moved AS (
  INSERT INTO transfers (from_account_id, to_account_id, amount)
  SELECT :from_account_id, :to_account_id, :amount FROM verdict WHERE verdict = 'ok'
  RETURNING id, from_account_id, to_account_id, amount, created_at
),
posted AS (
  INSERT INTO entries (account_id, amount)
  SELECT side.account_id, side.amount
  FROM verdict,
       (VALUES (1, :from_account_id::bigint, -:amount::bigint), (2, :to_account_id, :amount)) AS side (n, account_id, amount)
  WHERE verdict = 'ok'
  ORDER BY side.n
  RETURNING id, account_id, amount, created_at
),
balances AS (
  UPDATE accounts
  SET balance = balance + CASE WHEN accounts.id = :from_account_id THEN -:amount ELSE :amount END
  FROM verdict
  WHERE accounts.id IN (:from_account_id, :to_account_id) AND verdict = 'ok'
  RETURNING accounts.id, accounts.owner, accounts.balance, accounts.currency, accounts.created_at
),
stored AS (
  UPDATE idempotency_keys
  SET response_status = 201,
      response_body = (
        SELECT jsonb_build_object(
          'transfer', to_jsonb(moved),
          'from_account', to_jsonb(from_account),
          'to_account', to_jsonb(to_account),
          'from_entry', to_jsonb(from_entry),
          'to_entry', to_jsonb(to_entry))
        FROM moved, posted from_entry, posted to_entry, balances from_account, balances to_account
        WHERE from_entry.account_id = :from_account_id AND to_entry.account_id = :to_account_id
          AND from_account.id = :from_account_id AND to_account.id = :to_account_id)
  FROM verdict
  WHERE caller = :caller AND key = :idempotency_key AND verdict = 'ok'
),
released AS (
  DELETE FROM idempotency_keys
  USING verdict
  WHERE caller = :caller AND key = :idempotency_key AND response_status IS NULL
    AND verdict NOT IN ('ok', 'key_taken')
)
SELECT verdict.verdict,
       moved.id AS transfer_id, moved.created_at AS transfer_created_at,
       from_entry.id AS from_entry_id, from_entry.created_at AS from_entry_created_at,
       to_entry.id AS to_entry_id, to_entry.created_at AS to_entry_created_at,
       from_account.owner AS from_owner, from_account.balance AS from_balance,
       from_account.currency AS from_currency, from_account.created_at AS from_created_at,
       to_account.owner AS to_owner, to_account.balance AS to_balance,
       to_account.currency AS to_currency, to_account.created_at AS to_created_at
FROM verdict
LEFT JOIN moved ON true
LEFT JOIN posted from_entry ON from_entry.account_id = :from_account_id
LEFT JOIN posted to_entry ON to_entry.account_id = :to_account_id
LEFT JOIN balances from_account ON from_account.id = :from_account_id
LEFT JOIN balances to_account ON to_account.id = :to_account_id;

--: TransferVerdict()

--! decide_transfer (required_owner?) : TransferVerdict
--- The first of the four statements of a transfer without an idempotency key, sent
--- with BEGIN and COMMIT in one round trip (each is small, so cheap to plan even when
--- a pooler forbids keeping it prepared). It locks both accounts in ascending id order
--- (as every money statement does, so opposite transfers cannot deadlock), decides
--- every rule on the locked rows (the verdicts of `transfer_money`), and records the
--- verdict for the rest of the transaction only (`set_config(..., true)`): the three
--- writes after it (`post_transfer`, `post_transfer_entries`, `apply_transfer_balances`)
--- do nothing unless it is 'ok'. `required_owner` NULL skips the ownership rule.
WITH locked AS MATERIALIZED (
  SELECT id, owner, balance, currency FROM accounts
  WHERE id IN (:from_account_id, :to_account_id)
  ORDER BY id
  FOR NO KEY UPDATE
)
SELECT set_config('simplebank.transfer_verdict', CASE
    WHEN src.id IS NULL THEN 'from_account_not_found'
    WHEN src.owner <> coalesce(:required_owner, src.owner) THEN 'not_owner'
    WHEN dst.id IS NULL THEN 'to_account_not_found'
    WHEN src.id = dst.id THEN 'same_account'
    WHEN src.currency <> :currency OR dst.currency <> :currency THEN 'currency_mismatch'
    WHEN src.balance < :amount THEN 'insufficient_funds'
    ELSE 'ok'
  END, true) AS verdict
FROM (SELECT) AS one
LEFT JOIN locked src ON src.id = :from_account_id
LEFT JOIN locked dst ON dst.id = :to_account_id;

--! post_transfer : Transfer
--- A transfer's row, written only after `decide_transfer` said 'ok' in this transaction.
INSERT INTO transfers (from_account_id, to_account_id, amount)
SELECT :from_account_id, :to_account_id, :amount
WHERE current_setting('simplebank.transfer_verdict', true) = 'ok'
RETURNING id, from_account_id, to_account_id, amount, created_at;

--: PostedEntries()

-- vet: allow sort because it orders the two entries of one transfer (a VALUES pair) before inserting them
--! post_transfer_entries : PostedEntries
--- A transfer's two entries (the source's first), written only after `decide_transfer`
--- said 'ok' in this transaction.
WITH posted AS (
  INSERT INTO entries (account_id, amount)
  SELECT side.account_id, side.amount
  FROM (VALUES (1, :from_account_id::bigint, -:amount::bigint), (2, :to_account_id, :amount))
    AS side (n, account_id, amount)
  WHERE current_setting('simplebank.transfer_verdict', true) = 'ok'
  ORDER BY side.n
  RETURNING id, account_id, created_at
)
SELECT from_entry.id AS from_entry_id, from_entry.created_at AS from_entry_created_at,
  to_entry.id AS to_entry_id, to_entry.created_at AS to_entry_created_at
FROM posted from_entry, posted to_entry
WHERE from_entry.account_id = :from_account_id AND to_entry.account_id = :to_account_id;

--: MovedBalances()

--! apply_transfer_balances : MovedBalances
--- Both balances of a transfer, changed only after `decide_transfer` said 'ok' (and
--- locked them) in this transaction.
WITH moved AS (
  UPDATE accounts
  SET balance = balance + CASE WHEN id = :from_account_id THEN -:amount::bigint ELSE :amount END
  WHERE id IN (:from_account_id, :to_account_id)
    AND current_setting('simplebank.transfer_verdict', true) = 'ok'
  RETURNING id, owner, balance, created_at
)
SELECT from_account.owner AS from_owner, from_account.balance AS from_balance,
  from_account.created_at AS from_created_at, to_account.owner AS to_owner,
  to_account.balance AS to_balance, to_account.created_at AS to_created_at
FROM moved from_account, moved to_account
WHERE from_account.id = :from_account_id AND to_account.id = :to_account_id;
