-- Renews for ? more seconds the lease ? of holder ? with token ?; no row
-- changes when another instance has taken it over. Run inside a job's own
-- transaction, it is the fence: the job's writes commit only with its
-- lease.
UPDATE tis_sync_lease
SET renewals = renewals + 1, expires_at = strftime('%Y-%m-%d %H:%M:%f', 'now', '+' || ? || ' seconds')
WHERE name = ? AND holder = ? AND token = ?
