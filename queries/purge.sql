--: PurgeLock()

--! try_purge_lock : PurgeLock
--- Takes the purge's advisory lock for this transaction, without waiting: `acquired`
--- is false while another replica purges. Released at commit (safe behind a
--- transaction-mode pooler, unlike a session lock).
SELECT pg_try_advisory_xact_lock(:lock_id) AS acquired;
