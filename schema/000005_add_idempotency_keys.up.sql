-- One row per (caller, key). The row is reserved and completed inside the
-- transaction that does the work, so a committed row always has its response;
-- a concurrent duplicate waits on the primary key until the first commits.
CREATE TABLE idempotency_keys (
  caller varchar NOT NULL REFERENCES users (username),
  key varchar NOT NULL,
  request_fingerprint varchar NOT NULL,
  response_status smallint,
  response_body jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (caller, key)
);
