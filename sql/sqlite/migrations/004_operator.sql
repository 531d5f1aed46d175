-- The operator interface: API tokens (only their SHA-256), the jobs an
-- operator paused, each run's own log lines, and per run who started it,
-- on which instance, its progress (for every instance to show) and a
-- cancel asked for from any instance.
CREATE TABLE IF NOT EXISTS tis_sync_token (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS tis_sync_job_state (
    job TEXT PRIMARY KEY,
    paused INTEGER NOT NULL,
    changed_by TEXT,
    changed_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS tis_sync_run_log (
    run_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    logged_at TEXT NOT NULL,
    level TEXT NOT NULL,
    line TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
);
ALTER TABLE tis_sync_run ADD COLUMN started_by TEXT;
ALTER TABLE tis_sync_run ADD COLUMN instance TEXT;
ALTER TABLE tis_sync_run ADD COLUMN rows_done INTEGER;
ALTER TABLE tis_sync_run ADD COLUMN rows_expected INTEGER;
ALTER TABLE tis_sync_run ADD COLUMN cancel_requested_by TEXT;
CREATE INDEX IF NOT EXISTS idx_tis_sync_run_status ON tis_sync_run (status, id);
