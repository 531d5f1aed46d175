-- PersonOwnerRebuildJob, native mode: the PM rows of SPEC 1.1 (programme
-- memberships joined to their programme), grouped by person.
SELECT pm.personId, pm.id, pm.programmeStartDate, pm.programmeEndDate, pg.owner
  FROM ProgrammeMembership pm
  JOIN Programme pg ON pg.id = pm.programmeId
 ORDER BY pm.personId
