CREATE TABLE users (
  username varchar PRIMARY KEY,
  hashed_password varchar NOT NULL,
  full_name varchar NOT NULL,
  email varchar NOT NULL,
  password_changed_at timestamptz NOT NULL DEFAULT '0001-01-01 00:00:00Z',
  created_at timestamptz NOT NULL DEFAULT now()
);

-- E-mail is stored as given but must be unique regardless of case.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

ALTER TABLE accounts
  ADD CONSTRAINT accounts_owner_fkey FOREIGN KEY (owner) REFERENCES users (username);

-- One account per currency for each owner.
ALTER TABLE accounts
  ADD CONSTRAINT owner_currency_key UNIQUE (owner, currency);
