-- Grows a bank by SQL alone, for the growth table of bench/ratio.sh and for query-vet:
--   psql -v accounts=N -v entries=N -v hot_entries=N -v transfers=N -v hot_account=ID -f bench/grow.sql
-- Adds `accounts` accounts (one user each, balance 0, so the bank's money is unchanged),
-- `entries` entries of which `hot_entries` on account `hot_account`, and `transfers`
-- transfers of which a quarter touch `hot_account` (alternately from it and to it).
-- The rows are history, not money movements: balances are not touched (entry counts are). Foreign keys are
-- not re-checked row by row (session_replication_role): every id used exists.
\set ON_ERROR_STOP on
SET session_replication_role = replica;
SET synchronous_commit = off;
SET work_mem = '256MB';

CREATE TEMP TABLE grow_range AS
SELECT coalesce(max(id), 0) AS first_before FROM accounts;

INSERT INTO users (username, hashed_password, full_name, email)
SELECT 'grow_' || g, 'not-a-hash', 'Grown Customer', 'grow_' || g || '@example.com'
FROM generate_series(1, :accounts) AS g;

INSERT INTO accounts (owner, balance, currency)
SELECT 'grow_' || g, 0, 'USD'
FROM generate_series(1, :accounts) AS g;

CREATE TEMP TABLE grown AS
SELECT min(id) AS first_id, count(*) AS n FROM accounts WHERE id > (SELECT first_before FROM grow_range);

-- Interleaved: the hot account's entries are spread over the whole id range. Each entry
-- takes the next position in its account's statement, after the entries it already has.
INSERT INTO entries (account_id, amount, account_seq)
SELECT spread.account_id, spread.amount,
       accounts.entry_count + row_number() OVER (PARTITION BY spread.account_id ORDER BY spread.g)
FROM (
  SELECT g,
         CASE WHEN g % (:entries / :hot_entries) = 0 AND g / (:entries / :hot_entries) <= :hot_entries
              THEN :hot_account
              ELSE grown.first_id + (g * 7919) % grown.n END AS account_id,
         CASE WHEN g % 2 = 0 THEN 100 ELSE -100 END AS amount
  FROM generate_series(1::bigint, :entries) AS g, grown
) AS spread
JOIN accounts ON accounts.id = spread.account_id
ORDER BY spread.g;

UPDATE accounts
SET entry_count = numbered.last_seq
FROM (
  SELECT account_id, max(account_seq) AS last_seq FROM entries
  WHERE account_id = :hot_account OR account_id >= (SELECT first_id FROM grown)
  GROUP BY account_id
) AS numbered
WHERE accounts.id = numbered.account_id;

INSERT INTO transfers (from_account_id, to_account_id, amount)
SELECT CASE WHEN g % 8 = 0 THEN :hot_account ELSE grown.first_id + (g * 7919) % grown.n END,
       CASE WHEN g % 8 = 4 THEN :hot_account ELSE grown.first_id + (g * 7919 + 1) % grown.n END,
       100
FROM generate_series(1::bigint, :transfers) AS g, grown;

RESET session_replication_role;
ANALYZE users;
ANALYZE accounts;
-- What autovacuum does to an insert-grown table within a minute or so (PostgreSQL 13+
-- vacuums after inserts too): the visibility map then lets index-only scans skip the heap.
VACUUM (ANALYZE) entries;
VACUUM (ANALYZE) transfers;
