-- Keys whose caller is not a user could not satisfy the constraint: they go first.
DELETE FROM idempotency_keys k
WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.username = k.caller);
ALTER TABLE idempotency_keys
  ADD CONSTRAINT idempotency_keys_caller_fkey FOREIGN KEY (caller) REFERENCES users (username);
