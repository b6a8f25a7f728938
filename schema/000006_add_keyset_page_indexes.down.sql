CREATE INDEX transfers_to_account_id_idx ON transfers (to_account_id);
CREATE INDEX transfers_from_account_id_idx ON transfers (from_account_id);
DROP INDEX transfers_to_account_id_id_idx;
DROP INDEX transfers_from_account_id_id_idx;

CREATE INDEX entries_account_id_idx ON entries (account_id);
DROP INDEX entries_account_id_id_idx;
