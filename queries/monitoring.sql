--: BlockedQuery(blocked_user?, blocking_user?, blocked_statement?, blocking_statement?, waiting_seconds?)

-- vet: allow sort because it orders the lock waits of this database only, from the catalog views (a handful of rows)
--! blocked_queries : BlockedQuery
--- The course's lock monitor: every backend of this database waiting for a lock, paired with
--- each backend that holds it, longest wait first. `waiting_seconds` counts from the lock wait's
--- start (`pg_locks.waitstart`), else from the waiting statement's start.
SELECT blocked_locks.pid AS blocked_pid,
       blocked_activity.usename::text AS blocked_user,
       blocking_locks.pid AS blocking_pid,
       blocking_activity.usename::text AS blocking_user,
       blocked_activity.query AS blocked_statement,
       blocking_activity.query AS blocking_statement,
       EXTRACT(EPOCH FROM clock_timestamp()
           - COALESCE(blocked_locks.waitstart, blocked_activity.query_start))::float8 AS waiting_seconds
FROM pg_catalog.pg_locks blocked_locks
JOIN pg_catalog.pg_stat_activity blocked_activity ON blocked_activity.pid = blocked_locks.pid
JOIN pg_catalog.pg_locks blocking_locks
    ON blocking_locks.locktype = blocked_locks.locktype
    AND blocking_locks.database IS NOT DISTINCT FROM blocked_locks.database
    AND blocking_locks.relation IS NOT DISTINCT FROM blocked_locks.relation
    AND blocking_locks.page IS NOT DISTINCT FROM blocked_locks.page
    AND blocking_locks.tuple IS NOT DISTINCT FROM blocked_locks.tuple
    AND blocking_locks.virtualxid IS NOT DISTINCT FROM blocked_locks.virtualxid
    AND blocking_locks.transactionid IS NOT DISTINCT FROM blocked_locks.transactionid
    AND blocking_locks.classid IS NOT DISTINCT FROM blocked_locks.classid
    AND blocking_locks.objid IS NOT DISTINCT FROM blocked_locks.objid
    AND blocking_locks.objsubid IS NOT DISTINCT FROM blocked_locks.objsubid
    AND blocking_locks.pid != blocked_locks.pid
JOIN pg_catalog.pg_stat_activity blocking_activity ON blocking_activity.pid = blocking_locks.pid
WHERE NOT blocked_locks.granted
  AND blocked_activity.datname = current_database()
ORDER BY waiting_seconds DESC NULLS LAST, blocked_locks.pid, blocking_locks.pid;
