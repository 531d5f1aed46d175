-- The job leases (lock.h): one row per lock name, naming its holder, the
-- fencing token that grows at every acquisition, and when the lease
-- expires by the database's clock. Created before anything takes a lock
-- (the migrations themselves run under one), so not a numbered migration.
CREATE TABLE IF NOT EXISTS tis_sync_lease (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    token INTEGER NOT NULL,
    renewals INTEGER NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
)
