-- SQL dump generated from doc/db.dbml by `dbdocs sql` (make db_schema). Do not edit.
-- Database: PostgreSQL

CREATE TABLE "users" (
  "username" varchar PRIMARY KEY,
  "hashed_password" varchar NOT NULL,
  "full_name" varchar NOT NULL,
  "email" varchar NOT NULL,
  "password_changed_at" timestamptz NOT NULL DEFAULT '0001-01-01 00:00:00Z',
  "created_at" timestamptz NOT NULL DEFAULT (now()),
  "role" varchar NOT NULL DEFAULT 'depositor',
  CONSTRAINT "users_role_known" CHECK (role IN ('depositor', 'banker'))
);

CREATE TABLE "accounts" (
  "id" bigserial PRIMARY KEY,
  "owner" varchar NOT NULL,
  "balance" bigint NOT NULL,
  "currency" varchar NOT NULL,
  "created_at" timestamptz NOT NULL DEFAULT (now()),
  "entry_count" bigint NOT NULL DEFAULT 0,
  CONSTRAINT "accounts_balance_nonnegative" CHECK (balance >= 0),
  CONSTRAINT "accounts_entry_count_nonnegative" CHECK (entry_count >= 0)
);

CREATE TABLE "entries" (
  "id" bigserial PRIMARY KEY,
  "account_id" bigint NOT NULL,
  "amount" bigint NOT NULL,
  "created_at" timestamptz NOT NULL DEFAULT (now()),
  "account_seq" bigint NOT NULL,
  CONSTRAINT "entries_account_seq_positive" CHECK (account_seq > 0)
);

CREATE TABLE "transfers" (
  "id" bigserial PRIMARY KEY,
  "from_account_id" bigint NOT NULL,
  "to_account_id" bigint NOT NULL,
  "amount" bigint NOT NULL,
  "created_at" timestamptz NOT NULL DEFAULT (now()),
  CONSTRAINT "transfers_amount_positive" CHECK (amount > 0)
);

CREATE TABLE "sessions" (
  "id" uuid PRIMARY KEY,
  "username" varchar NOT NULL,
  "refresh_token" varchar NOT NULL,
  "user_agent" varchar NOT NULL,
  "client_ip" varchar NOT NULL,
  "is_blocked" boolean NOT NULL DEFAULT false,
  "expires_at" timestamptz NOT NULL,
  "created_at" timestamptz NOT NULL DEFAULT (now())
);

CREATE TABLE "idempotency_keys" (
  "caller" varchar NOT NULL,
  "key" varchar NOT NULL,
  "request_fingerprint" varchar NOT NULL,
  "response_status" smallint,
  "response_body" jsonb,
  "created_at" timestamptz NOT NULL DEFAULT (now()),
  PRIMARY KEY ("caller", "key")
);

CREATE TABLE "failed_logins" (
  "scope" varchar NOT NULL,
  "subject" varchar NOT NULL,
  "failures" integer NOT NULL,
  "window_started_at" timestamptz NOT NULL DEFAULT (now()),
  PRIMARY KEY ("scope", "subject"),
  CONSTRAINT "failed_logins_scope_known" CHECK (scope IN ('username', 'address')),
  CONSTRAINT "failed_logins_failures_positive" CHECK (failures > 0)
);

CREATE UNIQUE INDEX "users_email_key" ON "users" ((lower(email)));

CREATE INDEX ON "accounts" ("owner");

CREATE UNIQUE INDEX "owner_currency_key" ON "accounts" ("owner", "currency");

CREATE INDEX "entries_account_id_id_idx" ON "entries" ("account_id", "id");

CREATE UNIQUE INDEX "entries_account_id_account_seq_key" ON "entries" ("account_id", "account_seq");

CREATE INDEX "transfers_from_account_id_id_idx" ON "transfers" ("from_account_id", "id");

CREATE INDEX "transfers_to_account_id_id_from_account_id_idx" ON "transfers" ("to_account_id", "id", "from_account_id");

CREATE INDEX ON "transfers" ("from_account_id", "to_account_id");

CREATE INDEX ON "sessions" ("username");

CREATE INDEX ON "sessions" ("expires_at");

CREATE INDEX ON "idempotency_keys" ("created_at");

CREATE INDEX ON "failed_logins" ("window_started_at");

COMMENT ON TABLE "users" IS 'A person who can log in. The primary key `users_pkey` makes usernames unique.';

COMMENT ON COLUMN "users"."username" IS 'Login name: 3 to 100 characters of a-z, 0-9 and _.';

COMMENT ON COLUMN "users"."hashed_password" IS 'argon2id PHC string; never the password itself.';

COMMENT ON COLUMN "users"."email" IS 'Stored as given; unique regardless of case (users_email_key).';

COMMENT ON COLUMN "users"."password_changed_at" IS 'The zero time until the first change.';

COMMENT ON COLUMN "users"."role" IS 'depositor owns accounts; banker may also deposit and read any account.';

COMMENT ON TABLE "accounts" IS 'Holds money in integer minor units of one currency. Balances change only together with
an entry, inside the transaction of a transfer or a deposit.';

COMMENT ON COLUMN "accounts"."balance" IS 'Money: minor units (cents) of currency. Never negative (accounts_balance_nonnegative).';

COMMENT ON COLUMN "accounts"."currency" IS 'ISO 4217 code: USD, EUR or CAD.';

COMMENT ON COLUMN "accounts"."entry_count" IS 'How many entries the account has: raised with each entry, under the row lock; numbers the next entry (entries.account_seq).';

COMMENT ON TABLE "entries" IS 'Every change of a balance: an account statement is the list of its entries.';

COMMENT ON COLUMN "entries"."amount" IS 'can be negative or positive: minor units taken out (<0) or put in (>0).';

COMMENT ON COLUMN "entries"."account_seq" IS 'Position of the entry in the statement of its account: 1 for the first entry, then one more for each, no gaps (the account entry_count after it).';

COMMENT ON TABLE "transfers" IS 'A positive amount moved from one account to another. Written in one transaction with
its two entries and the two balance updates.';

COMMENT ON COLUMN "transfers"."amount" IS 'must be positive: minor units moved (transfers_amount_positive).';

COMMENT ON TABLE "sessions" IS 'One row per refresh token issued at login; deleted SESSION_RETENTION after it expires.';

COMMENT ON COLUMN "sessions"."id" IS 'The refresh token id.';

COMMENT ON COLUMN "sessions"."is_blocked" IS 'true after logout: the refresh token stops working.';

COMMENT ON TABLE "idempotency_keys" IS 'One row per (caller, key). The row is reserved and completed inside the transaction that
does the work, so a committed row always has its response; a concurrent duplicate waits on
the primary key until the first commits. A key older than IDEMPOTENCY_KEY_TTL counts as
absent: the next request with it takes the row over as new, and the purge deletes it.';

COMMENT ON COLUMN "idempotency_keys"."caller" IS 'The user who sent the request (the username of its verified token; not a foreign key, see migration 000009).';

COMMENT ON COLUMN "idempotency_keys"."key" IS 'The Idempotency-Key the client chose.';

COMMENT ON COLUMN "idempotency_keys"."request_fingerprint" IS 'Hash of the request, so a reused key with another body is refused.';

COMMENT ON COLUMN "idempotency_keys"."response_status" IS 'HTTP status of the stored response; NULL while the first request is in flight.';

COMMENT ON COLUMN "idempotency_keys"."response_body" IS 'What the response is rebuilt from. For a transfer, a receipt: the transfer and entry ids and both balances right after it (the rest is read back from those rows). Rows written before receipts hold the whole response.';

COMMENT ON TABLE "failed_logins" IS 'Failed-login counters, in the database so that every replica sees the same counts. A
failure adds one to the username''s row and to the address''s row (created at one, or
restarted at one when the window has passed); a successful login deletes the username''s
row. The purge deletes rows whose window has passed.';

COMMENT ON COLUMN "failed_logins"."scope" IS '`username` or `address` (the client address).';

COMMENT ON COLUMN "failed_logins"."subject" IS 'The username or the client address counted.';

COMMENT ON COLUMN "failed_logins"."failures" IS 'Failed logins since window_started_at; at 10 per username or 50 per address, logins are refused (429).';

COMMENT ON COLUMN "failed_logins"."window_started_at" IS 'The first failure of the window; after 15 minutes the row counts as none.';

ALTER TABLE "accounts" ADD CONSTRAINT "accounts_owner_fkey" FOREIGN KEY ("owner") REFERENCES "users" ("username");

ALTER TABLE "entries" ADD CONSTRAINT "entries_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts" ("id");

ALTER TABLE "transfers" ADD CONSTRAINT "transfers_from_account_id_fkey" FOREIGN KEY ("from_account_id") REFERENCES "accounts" ("id");

ALTER TABLE "transfers" ADD CONSTRAINT "transfers_to_account_id_fkey" FOREIGN KEY ("to_account_id") REFERENCES "accounts" ("id");

ALTER TABLE "sessions" ADD CONSTRAINT "sessions_username_fkey" FOREIGN KEY ("username") REFERENCES "users" ("username");
