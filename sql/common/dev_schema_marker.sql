-- Marks a TCS schema that `init-db --tcs` created itself: only such a
-- development schema may be overwritten by `demo-data`.
CREATE TABLE IF NOT EXISTS tis_sync_dev_schema (created_at VARCHAR(32) NOT NULL)
