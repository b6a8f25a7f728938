--: Session()

--! create_session : Session
--- Stores the session behind a refresh token; `id` is the refresh token's id.
INSERT INTO sessions (id, username, refresh_token, user_agent, client_ip, is_blocked, expires_at)
VALUES (:id, :username, :refresh_token, :user_agent, :client_ip, :is_blocked, :expires_at)
RETURNING id, username, refresh_token, user_agent, client_ip, is_blocked, expires_at, created_at;

--! get_session : Session
--- One session by id.
SELECT id, username, refresh_token, user_agent, client_ip, is_blocked, expires_at, created_at
FROM sessions
WHERE id = :id;

--! block_session : Session
--- Blocks a session (logout): its refresh token stops working.
UPDATE sessions
SET is_blocked = true
WHERE id = :id
RETURNING id, username, refresh_token, user_agent, client_ip, is_blocked, expires_at, created_at;

--! purge_expired_sessions
--- Deletes at most `batch_size` sessions that expired more than `retention_seconds` ago.
DELETE FROM sessions
WHERE ctid = ANY(ARRAY(
  SELECT ctid FROM sessions
  WHERE expires_at < now() - make_interval(secs => :retention_seconds)
  ORDER BY expires_at
  LIMIT :batch_size
  FOR UPDATE SKIP LOCKED));
