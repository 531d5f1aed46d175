-- Takes the lease ? for the holder ? for ? seconds if it is free or has
-- expired, in one statement; taking it bumps the fencing token. The
-- caller reads the row back to learn whether it won.
INSERT INTO tis_sync_lease (name, holder, token, renewals, acquired_at, expires_at)
VALUES (?, ?, 1, 0, strftime('%Y-%m-%d %H:%M:%f', 'now'),
        strftime('%Y-%m-%d %H:%M:%f', 'now', '+' || ? || ' seconds'))
ON CONFLICT (name) DO UPDATE SET
    token = token + 1, renewals = 0, holder = excluded.holder, acquired_at = excluded.acquired_at,
    expires_at = excluded.expires_at
WHERE expires_at < excluded.acquired_at
