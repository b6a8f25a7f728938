-- Statements and transfer histories are read newest first, a page at a time. An index
-- on (account, id) makes each page one index range scan in the order it is returned,
-- so a page costs the same on a ledger of any size; the single-column indexes are
-- their prefixes and become redundant.
CREATE INDEX entries_account_id_id_idx ON entries (account_id, id);
DROP INDEX entries_account_id_idx;

-- A transfer history is the union of the transfers from the account and those to it:
-- one range scan per side, merged by id, never a sort of everything the account did.
CREATE INDEX transfers_from_account_id_id_idx ON transfers (from_account_id, id);
CREATE INDEX transfers_to_account_id_id_idx ON transfers (to_account_id, id);
DROP INDEX transfers_from_account_id_idx;
DROP INDEX transfers_to_account_id_idx;
