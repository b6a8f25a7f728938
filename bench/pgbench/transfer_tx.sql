-- The course's TransferTx: BEGIN, the transfer, two balance updates (in id order, so
-- opposite transfers cannot deadlock), two entries, COMMIT. Money is conserved. The
-- balances (and entry counts) come before the entries (the course writes them after):
-- an entry takes the next position in its account's statement, under the row lock.
\set from random(:min_id, :max_id)
\set to random(:min_id, :max_id - 1)
\set to :to + case when :to >= :from then 1 else 0 end
\set lo least(:from, :to)
\set hi greatest(:from, :to)
BEGIN;
INSERT INTO transfers (from_account_id, to_account_id, amount) VALUES (:from, :to, 1)
RETURNING id, from_account_id, to_account_id, amount, created_at;
UPDATE accounts SET balance = balance + case when id = :from then -1 else 1 end,
  entry_count = entry_count + 1 WHERE id = :lo
RETURNING id, owner, balance, currency, created_at;
UPDATE accounts SET balance = balance + case when id = :from then -1 else 1 end,
  entry_count = entry_count + 1 WHERE id = :hi
RETURNING id, owner, balance, currency, created_at;
INSERT INTO entries (account_id, amount, account_seq)
SELECT :from, -1, entry_count FROM accounts WHERE id = :from
RETURNING id, account_id, amount, created_at;
INSERT INTO entries (account_id, amount, account_seq)
SELECT :to, 1, entry_count FROM accounts WHERE id = :to
RETURNING id, account_id, amount, created_at;
COMMIT;
