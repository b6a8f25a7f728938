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
--- keyset page). The page's ids come from the indexes alone: each side is one backward
--- index-only range scan, cut at `limit + offset` ids, and the two are merged by id
--- (Merge Append); then the page's rows are read by primary key, in that order. Nothing
--- is sorted, whatever the account's history, and no plan can prefer walking the
--- primary key (a generic plan does not know the page size). A transfer to oneself is
--- counted once (from side).
SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.created_at
FROM (
  SELECT id
  FROM (
    (SELECT id
     FROM transfers
     WHERE from_account_id = :account_id
       AND id < :before_id
     ORDER BY id DESC
     LIMIT :limit::bigint + :offset::bigint)
    UNION ALL
    (SELECT id
     FROM transfers
     WHERE to_account_id = :account_id
       AND from_account_id <> :account_id
       AND id < :before_id
     ORDER BY id DESC
     LIMIT :limit::bigint + :offset::bigint)
  ) AS sides
  ORDER BY id DESC
  LIMIT :limit OFFSET :offset
) AS page
JOIN transfers t ON t.id = page.id
ORDER BY t.id DESC;

--! get_transfer_with_owners : TransferWithOwners()
--- One transfer and the owners of both its accounts, to decide who may read it.
SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.created_at,
       from_account.owner AS from_owner, to_account.owner AS to_owner
FROM transfers t
JOIN accounts from_account ON from_account.id = t.from_account_id
JOIN accounts to_account ON to_account.id = t.to_account_id
WHERE t.id = :id;

--: TransferReceipt()

--! get_transfer_receipt : TransferReceipt
--- The rows a keyed transfer wrote, to replay its response from the receipt
--- `decide_keyed_transfer` stored under the key: the transfer, its two entries, and the
--- owner, currency and opening time of both accounts (none of which ever changes).
--- The balances are the receipt's: each account's balance right after the transfer.
SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.created_at,
  from_entry.amount AS from_entry_amount, from_entry.created_at AS from_entry_created_at,
  to_entry.amount AS to_entry_amount, to_entry.created_at AS to_entry_created_at,
  from_account.owner AS from_owner, from_account.currency AS from_currency,
  from_account.created_at AS from_created_at,
  to_account.owner AS to_owner, to_account.currency AS to_currency,
  to_account.created_at AS to_created_at
FROM transfers t
JOIN entries from_entry ON from_entry.id = :from_entry_id AND from_entry.account_id = t.from_account_id
JOIN entries to_entry ON to_entry.id = :to_entry_id AND to_entry.account_id = t.to_account_id
JOIN accounts from_account ON from_account.id = t.from_account_id
JOIN accounts to_account ON to_account.id = t.to_account_id
WHERE t.id = :transfer_id;

--: TransferVerdict()

--! decide_transfer (required_owner?) : TransferVerdict
--- The first of the statements of a transfer, all sent with BEGIN and COMMIT in one
--- round trip (each is small, so cheap to plan even when a pooler forbids keeping it
--- prepared). It locks both accounts in ascending id order (as every money statement
--- does, so opposite transfers cannot deadlock), decides every rule on the locked rows,
--- and records the verdict for the rest of the transaction only (`set_config(..., true)`):
--- the writes after it (`post_transfer`, `post_transfer_entries`,
--- `apply_transfer_balances`) do nothing unless it is 'ok'. It also takes the ids of the
--- transfer and its two entries, after the locks (so an account's entries get ids in the
--- order of their statement positions), and the positions of both entries in their
--- accounts' statements (one past each locked `entry_count`), for the writes to use.
--- `required_owner` NULL skips the ownership rule.
WITH locked AS MATERIALIZED (
  SELECT id, owner, balance, currency, entry_count FROM accounts
  WHERE id IN (:from_account_id, :to_account_id)
  ORDER BY id
  FOR NO KEY UPDATE
), decided AS MATERIALIZED (
  SELECT CASE
      WHEN src.id IS NULL THEN 'from_account_not_found'
      WHEN src.owner <> coalesce(:required_owner, src.owner) THEN 'not_owner'
      WHEN dst.id IS NULL THEN 'to_account_not_found'
      WHEN src.id = dst.id THEN 'same_account'
      WHEN src.currency <> :currency OR dst.currency <> :currency THEN 'currency_mismatch'
      WHEN src.balance < :amount THEN 'insufficient_funds'
      ELSE 'ok'
    END AS verdict,
    coalesce(src.entry_count + 1, 0) AS from_entry_seq,
    coalesce(dst.entry_count + 1, 0) AS to_entry_seq
  FROM (SELECT) AS one
  LEFT JOIN locked src ON src.id = :from_account_id
  LEFT JOIN locked dst ON dst.id = :to_account_id
)
SELECT set_config('simplebank.transfer_verdict', verdict, true) AS verdict,
  set_config('simplebank.transfer_id', nextval('transfers_id_seq')::text, true) AS transfer_id,
  set_config('simplebank.from_entry_id', nextval('entries_id_seq')::text, true) AS from_entry_id,
  set_config('simplebank.to_entry_id', nextval('entries_id_seq')::text, true) AS to_entry_id,
  set_config('simplebank.from_entry_seq', from_entry_seq::text, true) AS from_entry_seq,
  set_config('simplebank.to_entry_seq', to_entry_seq::text, true) AS to_entry_seq
FROM decided;

--! decide_keyed_transfer (required_owner?) : TransferVerdict
--- `decide_transfer` under an idempotency key, which it claims after locking the
--- accounts: the key's row is written once, with a receipt when the verdict is 'ok'
--- (the ids taken here and both balances after the transfer: all a replay needs besides
--- the rows the writes after it add, which it reads back; see `get_transfer_receipt`),
--- without one for a refusal. A key that holds a response younger than `ttl_seconds` is
--- taken: the verdict is 'key_taken', nothing is written, and the caller replays that
--- response. A key older than that, or one a refused request left without a response,
--- is taken over as new. A concurrent request with the same key waits for the
--- accounts' locks or for the key, then finds it taken. Every access to idempotency_keys
--- goes through its primary key (ON CONFLICT), whatever the planner's statistics say.
WITH locked AS MATERIALIZED (
  SELECT id, owner, balance, currency, entry_count FROM accounts
  WHERE id IN (:from_account_id, :to_account_id)
  ORDER BY id
  FOR NO KEY UPDATE
), decided AS MATERIALIZED (
  SELECT CASE
      WHEN src.id IS NULL THEN 'from_account_not_found'
      WHEN src.owner <> coalesce(:required_owner, src.owner) THEN 'not_owner'
      WHEN dst.id IS NULL THEN 'to_account_not_found'
      WHEN src.id = dst.id THEN 'same_account'
      WHEN src.currency <> :currency OR dst.currency <> :currency THEN 'currency_mismatch'
      WHEN src.balance < :amount THEN 'insufficient_funds'
      ELSE 'ok'
    END AS verdict,
    nextval('transfers_id_seq') AS transfer_id,
    nextval('entries_id_seq') AS from_entry_id,
    nextval('entries_id_seq') AS to_entry_id,
    src.balance - :amount AS from_balance, dst.balance + :amount AS to_balance,
    coalesce(src.entry_count + 1, 0) AS from_entry_seq,
    coalesce(dst.entry_count + 1, 0) AS to_entry_seq
  FROM (SELECT) AS one
  LEFT JOIN locked src ON src.id = :from_account_id
  LEFT JOIN locked dst ON dst.id = :to_account_id
), claimed AS (
  INSERT INTO idempotency_keys AS k (caller, key, request_fingerprint, response_status, response_body)
  SELECT :caller, :idempotency_key, :request_fingerprint,
    CASE WHEN d.verdict = 'ok' THEN 201 END,
    CASE WHEN d.verdict = 'ok' THEN jsonb_build_object('transfer_id', d.transfer_id,
      'from_entry_id', d.from_entry_id, 'to_entry_id', d.to_entry_id,
      'from_balance', d.from_balance, 'to_balance', d.to_balance)
    END
  FROM decided d
  ON CONFLICT (caller, key) DO UPDATE
  SET request_fingerprint = EXCLUDED.request_fingerprint,
      response_status = EXCLUDED.response_status,
      response_body = EXCLUDED.response_body,
      created_at = now()
  WHERE k.response_status IS NULL
     OR k.created_at <= now() - make_interval(secs => :ttl_seconds)
  RETURNING true AS held
)
SELECT set_config('simplebank.transfer_verdict',
    CASE WHEN EXISTS (SELECT FROM claimed) THEN d.verdict ELSE 'key_taken' END, true) AS verdict,
  set_config('simplebank.transfer_id', d.transfer_id::text, true) AS transfer_id,
  set_config('simplebank.from_entry_id', d.from_entry_id::text, true) AS from_entry_id,
  set_config('simplebank.to_entry_id', d.to_entry_id::text, true) AS to_entry_id,
  set_config('simplebank.from_entry_seq', d.from_entry_seq::text, true) AS from_entry_seq,
  set_config('simplebank.to_entry_seq', d.to_entry_seq::text, true) AS to_entry_seq
FROM decided d;

--! post_transfer : Transfer
--- A transfer's row, under the id `decide_transfer` took, written only if it said 'ok' in
--- this transaction.
INSERT INTO transfers (id, from_account_id, to_account_id, amount)
SELECT current_setting('simplebank.transfer_id')::bigint, :from_account_id, :to_account_id, :amount
WHERE current_setting('simplebank.transfer_verdict', true) = 'ok'
RETURNING id, from_account_id, to_account_id, amount, created_at;

--: PostedEntries()

-- vet: allow sort because it orders the two entries of one transfer (a VALUES pair) before inserting them
--! post_transfer_entries : PostedEntries
--- A transfer's two entries (the source's first), under the ids and statement positions
--- `decide_transfer` took, written only if it said 'ok' in this transaction. Each is the
--- next line of its account's statement: one past the `entry_count` of the row
--- `decide_transfer` locked, which `apply_transfer_balances` then raises.
WITH posted AS (
  INSERT INTO entries (id, account_id, amount, account_seq)
  SELECT side.id, side.account_id, side.amount, side.account_seq
  FROM (VALUES
      (1, current_setting('simplebank.from_entry_id')::bigint, :from_account_id::bigint, -:amount::bigint,
        current_setting('simplebank.from_entry_seq')::bigint),
      (2, current_setting('simplebank.to_entry_id')::bigint, :to_account_id, :amount,
        current_setting('simplebank.to_entry_seq')::bigint))
    AS side (n, id, account_id, amount, account_seq)
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
--- locked them) in this transaction; each account counts the entry
--- `post_transfer_entries` wrote on it.
WITH moved AS (
  UPDATE accounts
  SET balance = balance + CASE WHEN id = :from_account_id THEN -:amount::bigint ELSE :amount END,
      entry_count = entry_count + 1
  WHERE id IN (:from_account_id, :to_account_id)
    AND current_setting('simplebank.transfer_verdict', true) = 'ok'
  RETURNING id, owner, balance, created_at
)
SELECT from_account.owner AS from_owner, from_account.balance AS from_balance,
  from_account.created_at AS from_created_at, to_account.owner AS to_owner,
  to_account.balance AS to_balance, to_account.created_at AS to_created_at
FROM moved from_account, moved to_account
WHERE from_account.id = :from_account_id AND to_account.id = :to_account_id;
