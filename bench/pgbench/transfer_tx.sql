-- The course's TransferTx: BEGIN, the transfer, two entries, two balance updates (in id
-- order, so opposite transfers cannot deadlock), COMMIT. Money is conserved.
\set from random(:min_id, :max_id)
\set to random(:min_id, :max_id - 1)
\set to :to + case when :to >= :from then 1 else 0 end
\set lo least(:from, :to)
\set hi greatest(:from, :to)
BEGIN;
INSERT INTO transfers (from_account_id, to_account_id, amount) VALUES (:from, :to, 1)
RETURNING id, from_account_id, to_account_id, amount, created_at;
INSERT INTO entries (account_id, amount) VALUES (:from, -1) RETURNING id, account_id, amount, created_at;
INSERT INTO entries (account_id, amount) VALUES (:to, 1) RETURNING id, account_id, amount, created_at;
UPDATE accounts SET balance = balance + case when id = :from then -1 else 1 end WHERE id = :lo
RETURNING id, owner, balance, currency, created_at;
UPDATE accounts SET balance = balance + case when id = :from then -1 else 1 end WHERE id = :hi
RETURNING id, owner, balance, currency, created_at;
COMMIT;
