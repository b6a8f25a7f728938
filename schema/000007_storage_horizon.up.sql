-- Failed logins, counted where every replica sees them. One row per username and
-- one per client address; a row counts the failures of the window that started at
-- its first failure, and an expired row counts as none (the next failure restarts it).
CREATE TABLE failed_logins (
  scope varchar NOT NULL CONSTRAINT failed_logins_scope_known CHECK (scope IN ('username', 'address')),
  subject varchar NOT NULL,
  failures integer NOT NULL CONSTRAINT failed_logins_failures_positive CHECK (failures > 0),
  window_started_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, subject)
);

-- The purge finds expired rows through these indexes, a batch at a time.
CREATE INDEX ON failed_logins (window_started_at);
CREATE INDEX ON sessions (expires_at);
CREATE INDEX ON idempotency_keys (created_at);
