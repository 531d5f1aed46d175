-- Takes the lease ? for the holder ? for ? seconds if it is free or has
-- expired, in one statement: of two instances racing, one wins (on Galera
-- the loser's write fails certification). Taking it bumps the fencing
-- token. The caller reads the row back to learn whether it won.
-- MariaDB assigns left to right, so expires_at, which every IF reads,
-- comes last.
INSERT INTO tis_sync_lease (name, holder, token, renewals, acquired_at, expires_at)
VALUES (?, ?, 1, 0, UTC_TIMESTAMP(3), UTC_TIMESTAMP(3) + INTERVAL ? SECOND)
ON DUPLICATE KEY UPDATE
    token = IF(expires_at < UTC_TIMESTAMP(3), token + 1, token),
    renewals = IF(expires_at < UTC_TIMESTAMP(3), 0, renewals),
    holder = IF(expires_at < UTC_TIMESTAMP(3), VALUES(holder), holder),
    acquired_at = IF(expires_at < UTC_TIMESTAMP(3), VALUES(acquired_at), acquired_at),
    expires_at = IF(expires_at < UTC_TIMESTAMP(3), VALUES(expires_at), expires_at)
