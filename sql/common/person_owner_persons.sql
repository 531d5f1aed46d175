-- PersonOwnerRebuildJob, native mode: every person, in id order.
SELECT id FROM Person ORDER BY id
