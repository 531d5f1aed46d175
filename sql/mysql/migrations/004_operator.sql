-- The operator interface: API tokens (only their SHA-256), the jobs an
-- operator paused, each run's own log lines, and per run who started it,
-- on which instance, its progress (for every instance to show) and a
-- cancel asked for from any instance.
CREATE TABLE IF NOT EXISTS tis_sync_token (
    name VARCHAR(64) PRIMARY KEY,
    role VARCHAR(16) NOT NULL,
    token_hash CHAR(64) NOT NULL,
    created_at DATETIME(3) NOT NULL,
    revoked_at DATETIME(3) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS tis_sync_job_state (
    job VARCHAR(64) PRIMARY KEY,
    paused TINYINT NOT NULL,
    changed_by VARCHAR(128) NULL,
    changed_at DATETIME(3) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS tis_sync_run_log (
    run_id BIGINT NOT NULL,
    seq INT NOT NULL,
    logged_at DATETIME(3) NOT NULL,
    level VARCHAR(5) NOT NULL,
    line VARCHAR(1024) NOT NULL,
    PRIMARY KEY (run_id, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
ALTER TABLE tis_sync_run
    ADD COLUMN started_by VARCHAR(128) NULL,
    ADD COLUMN instance VARCHAR(255) NULL,
    ADD COLUMN rows_done BIGINT NULL,
    ADD COLUMN rows_expected BIGINT NULL,
    ADD COLUMN cancel_requested_by VARCHAR(128) NULL,
    ADD KEY idx_tis_sync_run_status (status, id);
