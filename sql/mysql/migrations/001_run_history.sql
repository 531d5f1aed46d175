-- The service's own tables: schema version and run history.
CREATE TABLE IF NOT EXISTS tis_sync_run (
    id BIGINT PRIMARY KEY AUTO_INCREMENT,
    job VARCHAR(64) NOT NULL,
    trigger_kind VARCHAR(16) NOT NULL,
    host VARCHAR(255) NOT NULL,
    pid INT NOT NULL,
    today DATE,
    started_at DATETIME(3) NOT NULL,
    finished_at DATETIME(3),
    status VARCHAR(16) NOT NULL,
    rows_written BIGINT,
    error TEXT,
    KEY idx_tis_sync_run_job (job, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
