CREATE INDEX transfers_to_account_id_id_idx ON transfers (to_account_id, id);
DROP INDEX transfers_to_account_id_id_from_account_id_idx;
