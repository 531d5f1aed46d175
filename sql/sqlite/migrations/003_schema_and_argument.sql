-- The TCS schema shape a run found ("2019", "2026"; SPEC-2026 1) and the
-- argument it was given (PersonRecordStatusJob's date of change).
ALTER TABLE tis_sync_run ADD COLUMN tcs_schema TEXT;
ALTER TABLE tis_sync_run ADD COLUMN argument TEXT;
