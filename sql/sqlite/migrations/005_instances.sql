-- The instances of the service on this database, each writing its
-- heartbeat every few seconds while it serves (the console's Instances
-- view: which are up, on which database node, and what each runs).
CREATE TABLE IF NOT EXISTS tis_sync_instance (
    instance TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    version TEXT NOT NULL,
    http_listen TEXT,
    db_node TEXT,
    started_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL
);
