-- The holder and token of the lease ?, and whether it is still live.
SELECT holder, token, expires_at > UTC_TIMESTAMP(3) FROM tis_sync_lease WHERE name = ?
