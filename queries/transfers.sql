--: Transfer()

--! create_transfer : Transfer
--- Records a transfer; the balances and entries are written in the same transaction.
INSERT INTO transfers (from_account_id, to_account_id, amount)
VALUES (:from_account_id, :to_account_id, :amount)
RETURNING id, from_account_id, to_account_id, amount, created_at;

--! get_transfer : Transfer
--- One transfer by id.
SELECT id, from_account_id, to_account_id, amount, created_at
FROM transfers
WHERE id = :id;

--! list_transfers : Transfer
--- A page of transfers from one account to another, oldest first (the course's query).
SELECT id, from_account_id, to_account_id, amount, created_at
FROM transfers
WHERE from_account_id = :from_account_id
   OR to_account_id = :to_account_id
ORDER BY id
LIMIT :limit OFFSET :offset;

--! list_transfers_of_account : Transfer
--- A page of the transfers that touch one account on either side, newest first.
SELECT id, from_account_id, to_account_id, amount, created_at
FROM transfers
WHERE from_account_id = :account_id
   OR to_account_id = :account_id
ORDER BY id DESC
LIMIT :limit OFFSET :offset;

--! get_transfer_with_owners : TransferWithOwners()
--- One transfer and the owners of both its accounts, to decide who may read it.
SELECT t.id, t.from_account_id, t.to_account_id, t.amount, t.created_at,
       from_account.owner AS from_owner, to_account.owner AS to_owner
FROM transfers t
JOIN accounts from_account ON from_account.id = t.from_account_id
JOIN accounts to_account ON to_account.id = t.to_account_id
WHERE t.id = :id;
