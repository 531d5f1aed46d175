-- Which of the service's own migrations have been applied.
CREATE TABLE IF NOT EXISTS tis_sync_schema_version (version INT NOT NULL PRIMARY KEY, applied_at VARCHAR(32) NOT NULL)
