DROP INDEX IF EXISTS entries_account_id_account_seq_key;
ALTER TABLE entries DROP COLUMN IF EXISTS account_seq;
ALTER TABLE accounts DROP COLUMN IF EXISTS entry_count;
