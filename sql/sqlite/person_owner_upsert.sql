-- Appended to PersonOwnerRebuildJob's INSERT ... VALUES: a row that a TCS
-- Placement trigger wrote after the job read the table is overwritten, not
-- a unique-key error (SPEC-2026 1).
ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, rule = excluded.rule
