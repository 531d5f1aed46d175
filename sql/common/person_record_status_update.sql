-- PersonRecordStatusJob: one batch of persons (the job appends the list of
-- ids). ?1 is the status, ?2 the time of the change (UTC, milliseconds). The
-- WHERE checks the status again, so a person edited meanwhile is only
-- written if it still differs.
UPDATE Person SET status = ?1, amendedDate = ?2
 WHERE (Person.status IS NULL OR Person.status <> ?1) AND Person.id IN
