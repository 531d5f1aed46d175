-- The instances of the service on this database, each writing its
-- heartbeat every few seconds while it serves (the console's Instances
-- view: which are up, on which database node, and what each runs).
CREATE TABLE IF NOT EXISTS tis_sync_instance (
    instance VARCHAR(255) PRIMARY KEY,
    host VARCHAR(255) NOT NULL,
    pid INT NOT NULL,
    version VARCHAR(32) NOT NULL,
    http_listen VARCHAR(255) NULL,
    db_node VARCHAR(255) NULL,
    started_at DATETIME(3) NOT NULL,
    last_seen_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
