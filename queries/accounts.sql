--: Account()

--! create_account : Account
--- Opens an account for `owner` with an initial balance (zero through the API).
INSERT INTO accounts (owner, balance, currency)
VALUES (:owner, :balance, :currency)
RETURNING id, owner, balance, currency, created_at;

--! get_account : Account
--- One account by id.
SELECT id, owner, balance, currency, created_at
FROM accounts
WHERE id = :id;

-- vet: allow sort because an owner has at most one account per currency (owner_currency_key): the sort sees at most three rows
--! list_accounts : Account
--- A page of the accounts of `owner`, ordered by id.
SELECT id, owner, balance, currency, created_at
FROM accounts
WHERE owner = :owner
ORDER BY id
LIMIT :limit OFFSET :offset;

--! update_account : Account
--- Sets a balance outright (the course's query; money moves through add_account_balance).
UPDATE accounts
SET balance = :balance
WHERE id = :id
RETURNING id, owner, balance, currency, created_at;

--! add_account_balance : Account
--- Adds `amount` (negative to take money out) to a balance. The balance CHECK refuses an overdraft.
UPDATE accounts
SET balance = balance + :amount
WHERE id = :id
RETURNING id, owner, balance, currency, created_at;

--! delete_account
--- Deletes an account that has no entries or transfers.
DELETE FROM accounts
WHERE id = :id;

--! lock_account : Account
--- Locks one account row for the rest of the transaction (deposits).
--- NO KEY UPDATE: inserts that reference the account (entries, transfers) need only a
--- KEY SHARE lock, so they are not blocked by it.
SELECT id, owner, balance, currency, created_at
FROM accounts
WHERE id = :id
FOR NO KEY UPDATE;

--! lock_account_pair : Account
--- Locks the two accounts of a transfer in ascending id order, in one statement.
--- Every transfer takes its locks in the same order, so two opposite transfers
--- cannot wait on each other: this is what prevents the course's deadlock.
SELECT id, owner, balance, currency, created_at
FROM accounts
WHERE id IN (:first_id, :second_id)
ORDER BY id
FOR NO KEY UPDATE;
