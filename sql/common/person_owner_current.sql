-- The current PersonOwner rows, shaped (id, 0, owner, rule, id) for the diff.
SELECT id, 0, owner, rule, id FROM PersonOwner ORDER BY id
