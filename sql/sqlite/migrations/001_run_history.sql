-- The service's own tables: schema version and run history.
CREATE TABLE IF NOT EXISTS tis_sync_run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    job TEXT NOT NULL,
    trigger_kind TEXT NOT NULL,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    today TEXT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL,
    rows_written INTEGER,
    error TEXT
);
CREATE INDEX IF NOT EXISTS idx_tis_sync_run_job ON tis_sync_run (job, id);
