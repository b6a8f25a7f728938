-- A session backs one refresh token; its id is the refresh token's id.
CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  username varchar NOT NULL REFERENCES users (username),
  refresh_token varchar NOT NULL,
  user_agent varchar NOT NULL,
  client_ip varchar NOT NULL,
  is_blocked boolean NOT NULL DEFAULT false,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX ON sessions (username);
