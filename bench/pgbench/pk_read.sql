-- The primary-key read behind GET /accounts/{id} (queries/accounts.sql get_account).
\set id random(:min_id, :max_id)
SELECT id, owner, balance, currency, created_at FROM accounts WHERE id = :id;
