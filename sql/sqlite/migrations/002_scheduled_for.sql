-- The cron fire time a run or skip is for (the scheduled time itself, not
-- any instance's clock), so that two instances agree on "this firing" even
-- when their clocks differ. NULL for runs not started by cron.
ALTER TABLE tis_sync_run ADD COLUMN scheduled_for TEXT;
CREATE INDEX IF NOT EXISTS idx_tis_sync_run_firing ON tis_sync_run (job, scheduled_for);
