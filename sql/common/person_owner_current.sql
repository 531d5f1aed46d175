-- The current PersonOwner rows, shaped (id, 0, owner, rule, id) for the diff.
SELECT PersonOwner.id, 0, PersonOwner.owner, PersonOwner.rule, PersonOwner.id FROM PersonOwner ORDER BY PersonOwner.id
