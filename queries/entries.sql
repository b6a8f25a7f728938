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
--- (i64::MAX for page 1 and offset pages), after skipping `offset` of them (0 for a
--- keyset page). Entries are numbered 1, 2, ... per account with no gaps, in id order,
--- up to the account's `entry_count`, so the page is a range of statement positions:
--- one backward range scan of entries (account_id, account_seq), the same on a ledger
--- of any size, however deep the page. Where it starts: one below the position of the
--- entry `before_id` (a page token's last entry: a primary-key read); for i64::MAX the
--- account's newest; for an id that is not an entry of the account (no token of this
--- server), the newest entry below it.
SELECT id, account_id, amount, created_at
FROM entries
WHERE account_id = :account_id
  AND account_seq <= coalesce(
      (SELECT last_seen.account_seq - 1
       FROM entries last_seen
       WHERE last_seen.id = :before_id AND last_seen.account_id = :account_id),
      (SELECT account.entry_count
       FROM accounts account
       WHERE account.id = :account_id AND :before_id = 9223372036854775807),
      (SELECT below.account_seq
       FROM entries below
       WHERE below.account_id = :account_id AND below.id < :before_id
       ORDER BY below.id DESC
       LIMIT 1)
    ) - :offset
ORDER BY account_seq DESC
LIMIT :limit;
