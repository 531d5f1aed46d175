-- The job leases (lock.h): one row per lock name, naming its holder, the
-- fencing token that grows at every acquisition, and when the lease
-- expires by the database's clock. Created before anything takes a lock
-- (the migrations themselves run under one), so not a numbered migration.
CREATE TABLE IF NOT EXISTS tis_sync_lease (
    name VARCHAR(64) PRIMARY KEY,
    holder VARCHAR(255) NOT NULL,
    token BIGINT NOT NULL,
    renewals BIGINT NOT NULL,
    acquired_at DATETIME(3) NOT NULL,
    expires_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4
