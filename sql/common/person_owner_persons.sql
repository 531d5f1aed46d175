-- PersonOwnerRebuildJob, native mode: every person, in id order.
SELECT Person.id FROM Person ORDER BY Person.id
