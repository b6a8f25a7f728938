-- The same transfer in one round trip: one autocommit statement. `locked` takes both
-- row locks in id order (FOR NO KEY UPDATE); `checked` keeps the transfer only when both
-- accounts exist and `from` can pay; then the transfer, both entries and both balances.
-- `moved` runs after `transfer` (its EXISTS is an init plan), so the locks come first,
-- and each entry takes the next position in its account's statement from the locked row
-- (its newest version: the statement's snapshot may predate the wait for the lock).
\set from random(:min_id, :max_id)
\set to random(:min_id, :max_id - 1)
\set to :to + case when :to >= :from then 1 else 0 end
WITH locked AS (
  SELECT id, owner, balance, currency, entry_count FROM accounts
  WHERE id IN (:from::bigint, :to::bigint) ORDER BY id FOR NO KEY UPDATE
), checked AS (
  SELECT 1 FROM locked
  WHERE id = :from::bigint AND balance >= 1 AND (SELECT count(*) FROM locked) = 2
), transfer AS (
  INSERT INTO transfers (from_account_id, to_account_id, amount)
  SELECT :from::bigint, :to::bigint, 1 FROM checked
  RETURNING id, from_account_id, to_account_id, amount, created_at
), entry AS (
  INSERT INTO entries (account_id, amount, account_seq)
  SELECT side.account_id, side.amount, locked.entry_count + 1
  FROM (SELECT :from::bigint AS account_id, -1 AS amount FROM transfer
        UNION ALL SELECT :to::bigint, 1 FROM transfer) AS side
  JOIN locked ON locked.id = side.account_id
  RETURNING id, account_id, amount, created_at
), moved AS (
  UPDATE accounts SET balance = accounts.balance + case when accounts.id = :from::bigint then -1 else 1 end,
    entry_count = accounts.entry_count + 1
  FROM locked
  WHERE accounts.id = locked.id AND EXISTS (SELECT 1 FROM transfer)
  RETURNING accounts.id, accounts.owner, accounts.balance, accounts.currency, accounts.created_at
)
SELECT (SELECT id FROM transfer) AS transfer_id,
       (SELECT count(*) FROM entry) AS entries,
       (SELECT count(*) FROM moved) AS accounts;
