-- PersonOwnerRebuildJob, native mode, 2026 schema: the PM rows of SPEC 1.1
-- (programme memberships joined to their programme), grouped by person.
-- A membership is keyed by its uuid; ties go to the lowest uuid.
SELECT pm.personId, pm.uuid, pm.programmeStartDate, pm.programmeEndDate, pg.owner
  FROM ProgrammeMembership pm
  JOIN Programme pg ON pg.id = pm.programmeId
 ORDER BY pm.personId
