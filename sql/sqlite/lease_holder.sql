-- The holder and token of the lease ?, and whether it is still live.
SELECT holder, token, expires_at > strftime('%Y-%m-%d %H:%M:%f', 'now') FROM tis_sync_lease WHERE name = ?
