--: Entry()

--! create_entry : Entry
--- Records one change of an account's balance as the next line of its statement: the
--- account's entry count goes up by one (which takes its row lock, so entries of one
--- account are numbered one at a time) and numbers the entry. No row for a missing account.
WITH counted AS (
  UPDATE accounts
  SET entry_count = entry_count + 1
  WHERE id = :account_id
  RETURNING entry_count
)
INSERT INTO entries (account_id, amount, account_seq)
SELECT :account_id, :amount, entry_count
FROM counted
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

--! list_entries_newest_first_skipping : Entry
--- An offset page of an account's statement (`page_id` > 1), newest first: the entries
--- numbered `offset` and more below the account's newest (entries are numbered 1, 2, ...
--- per account with no gaps, in id order, up to the account's `entry_count`). One backward range scan of entries
--- (account_id, account_seq): a page costs the same however deep it is.
SELECT id, account_id, amount, created_at
FROM entries
WHERE account_id = :account_id
  AND account_seq <= (SELECT entry_count FROM accounts WHERE id = :account_id) - :offset
ORDER BY account_seq DESC
LIMIT :limit;
