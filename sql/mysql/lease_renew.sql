-- Renews for ? more seconds the lease ? of holder ? with token ?; no row
-- changes when another instance has taken it over. Run inside a job's own
-- transaction, it is the fence: the job's writes commit only with its
-- lease (on Galera, a takeover on another node makes this commit fail
-- certification). renewals always changes, so a renewal within the same
-- millisecond still counts as a changed row.
UPDATE tis_sync_lease
SET renewals = renewals + 1, expires_at = UTC_TIMESTAMP(3) + INTERVAL ? SECOND
WHERE name = ? AND holder = ? AND token = ?
