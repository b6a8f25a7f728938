-- Each entry gets its position in its account's statement: 1 for the account's first
-- entry, then 2, 3, ... with no gaps, in id order. The account row counts its entries
-- (`entry_count`); an entry is written only with that count raised by one, under the
-- account's row lock, which every balance change holds already. An offset page of a
-- statement (page_id) then becomes a range of positions: the same index range scan as
-- page 1, however deep, instead of counting the skipped entries one by one.
-- The counter lives on the locked row, not in max(account_seq): a single statement that
-- waited for the lock still sees the row's newest version, but not the newest entries.
-- ALTER TABLE locks both tables for the backfill, so no entry is written meanwhile.
ALTER TABLE accounts ADD COLUMN entry_count bigint NOT NULL DEFAULT 0
  CONSTRAINT accounts_entry_count_nonnegative CHECK (entry_count >= 0);
ALTER TABLE entries ADD COLUMN account_seq bigint;

UPDATE entries
SET account_seq = numbered.account_seq
FROM (
  SELECT id, row_number() OVER (PARTITION BY account_id ORDER BY id) AS account_seq
  FROM entries
) AS numbered
WHERE entries.id = numbered.id;

UPDATE accounts
SET entry_count = counted.entries
FROM (SELECT account_id, count(*) AS entries FROM entries GROUP BY account_id) AS counted
WHERE accounts.id = counted.account_id;

ALTER TABLE entries
  ALTER COLUMN account_seq SET NOT NULL,
  ADD CONSTRAINT entries_account_seq_positive CHECK (account_seq > 0);

CREATE UNIQUE INDEX entries_account_id_account_seq_key ON entries (account_id, account_seq);
