--: Entry()

--! create_entry : Entry
--- Records one change of an account's balance.
INSERT INTO entries (account_id, amount)
VALUES (:account_id, :amount)
RETURNING id, account_id, amount, created_at;

--! get_entry : Entry
--- One entry by id.
SELECT id, account_id, amount, created_at
FROM entries
WHERE id = :id;

--! list_entries : Entry
--- A page of the entries of one account, oldest first (the course's query).
SELECT id, account_id, amount, created_at
FROM entries
WHERE account_id = :account_id
ORDER BY id
LIMIT :limit OFFSET :offset;

--! list_entries_newest_first : Entry
--- A page of an account's statement, newest first: the entries older than `before_id`
--- (i64::MAX for the first page), after skipping `offset` of them (0 for a keyset page).
--- One backward range scan of entries (account_id, id): a keyset page costs the same on
--- a ledger of any size, an offset page reads `offset` more index entries.
SELECT id, account_id, amount, created_at
FROM entries
WHERE account_id = :account_id
  AND id < :before_id
ORDER BY id DESC
LIMIT :limit OFFSET :offset;

-- vet: allow sort because it orders only the page's rows (at most :limit), which the LIMIT inside picked
--! list_entries_newest_first_skipping : Entry
--- An offset page of an account's statement (`page_id` > 1), newest first. The skipped
--- entries are counted in entries (account_id, id) alone, by an index-only scan; only the
--- page's own rows are then read from the table. A deep page costs index entries, not rows.
SELECT e.id, e.account_id, e.amount, e.created_at
FROM entries e
WHERE e.id IN (
  SELECT id
  FROM entries
  WHERE account_id = :account_id
    AND id < :before_id
  ORDER BY id DESC
  LIMIT :limit OFFSET :offset
)
ORDER BY e.id DESC;
