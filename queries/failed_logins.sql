--: FailedLoginCounts()

--! count_failed_logins : FailedLoginCounts
--- Failures in the current window of a username and of a client address (0 when none),
--- in one round trip. A window is `window_seconds` long from its first failure.
SELECT
  COALESCE((SELECT failures FROM failed_logins
            WHERE scope = 'username' AND subject = :username
              AND window_started_at > now() - make_interval(secs => :window_seconds)), 0) AS username_failures,
  COALESCE((SELECT failures FROM failed_logins
            WHERE scope = 'address' AND subject = :address
              AND window_started_at > now() - make_interval(secs => :window_seconds)), 0) AS address_failures;

--! record_failed_login
--- Counts one failure for the username and for the address. An expired window
--- restarts at one. Rows are written username first, then address, in every call.
INSERT INTO failed_logins AS f (scope, subject, failures, window_started_at)
VALUES ('username', :username, 1, now()), ('address', :address, 1, now())
ON CONFLICT (scope, subject) DO UPDATE
SET failures = CASE WHEN f.window_started_at > now() - make_interval(secs => :window_seconds)
                    THEN f.failures + 1 ELSE 1 END,
    window_started_at = CASE WHEN f.window_started_at > now() - make_interval(secs => :window_seconds)
                             THEN f.window_started_at ELSE now() END;

--! reset_failed_logins_of_username
--- A successful login clears the username's count (not the address's).
DELETE FROM failed_logins
WHERE scope = 'username' AND subject = :username;

-- vet: allow sort because the table holds only counters of the current 15-minute window plus one purge interval; the sort sees those rows only
--! purge_expired_failed_logins
--- Deletes at most `batch_size` counters whose window has passed. Rows locked by a
--- login in progress are skipped, so the purge never waits on one.
DELETE FROM failed_logins
WHERE ctid = ANY(ARRAY(
  SELECT ctid FROM failed_logins
  WHERE window_started_at <= now() - make_interval(secs => :window_seconds)
  ORDER BY window_started_at
  LIMIT :batch_size
  FOR UPDATE SKIP LOCKED));
