-- The instances of the service on this database, each writing its
-- heartbeat every few seconds while it serves (the console's Instances
-- view: which are up, and what each runs).
CREATE TABLE IF NOT EXISTS tis_sync_instance (
    instance TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    version TEXT NOT NULL,
    http_listen TEXT,
    started_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
