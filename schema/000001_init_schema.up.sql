-- Accounts hold money in integer minor units (cents) of one currency.
-- The CHECK makes an overdraft impossible even if application code is wrong.
CREATE TABLE accounts (
  id bigserial PRIMARY KEY,
  owner varchar NOT NULL,
  balance bigint NOT NULL CONSTRAINT accounts_balance_nonnegative CHECK (balance >= 0),
  currency varchar NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Every change of a balance is an entry: negative for money out, positive for money in.
CREATE TABLE entries (
  id bigserial PRIMARY KEY,
  account_id bigint NOT NULL REFERENCES accounts (id),
  amount bigint NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- A transfer moves a positive amount from one account to another.
CREATE TABLE transfers (
  id bigserial PRIMARY KEY,
  from_account_id bigint NOT NULL REFERENCES accounts (id),
  to_account_id bigint NOT NULL REFERENCES accounts (id),
  amount bigint NOT NULL CONSTRAINT transfers_amount_positive CHECK (amount > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ON accounts (owner);
CREATE INDEX ON entries (account_id);
CREATE INDEX ON transfers (from_account_id);
CREATE INDEX ON transfers (to_account_id);
CREATE INDEX ON transfers (from_account_id, to_account_id);

COMMENT ON COLUMN entries.amount IS 'can be negative or positive';
COMMENT ON COLUMN transfers.amount IS 'must be positive';
