-- Appended to PersonOwnerRebuildJob's INSERT ... VALUES: a row that a TCS
-- Placement trigger wrote after the job read the table is overwritten, not
-- a duplicate-key error (SPEC-2026 1).
ON DUPLICATE KEY UPDATE owner = VALUES(owner), rule = VALUES(rule)
