-- A page of a transfer history reads the ids of each side from its index alone, then
-- joins the page's rows by primary key. The to side leaves out transfers from the
-- account itself (the from side lists them), which needs `from_account_id`: in the
-- index, that side is an index-only scan too. Without it, a prepared statement's
-- generic plan (which cannot see the page size) preferred walking transfers_pkey
-- backwards and filtering on the account: fine for a busy account, a walk of the whole
-- table for a quiet one on a bank with few accounts.
CREATE INDEX transfers_to_account_id_id_from_account_id_idx
  ON transfers (to_account_id, id, from_account_id);
DROP INDEX transfers_to_account_id_id_idx;
