-- MariaDB/MySQL variant of sql/common/person_search_memberships_2026.sql:
-- STRAIGHT_JOIN walks ProgrammeMembership and each membership's curricula
-- by index, and the rows are only grouped by person (the job puts each
-- person's entries in id order itself): ordering by the curriculum's id
-- as well made MariaDB build and sort a temporary table before the first
-- row (1.35 s against 0.2 s at 400,000 persons), time the job waited for.
SELECT STRAIGHT_JOIN pm.personId, cm.id, pm.programmeId, pr.programmeName, pr.programmeNumber, NULL,
       pm.programmeStartDate, pm.programmeEndDate
  FROM ProgrammeMembership pm
  JOIN CurriculumMembership cm ON cm.programmeMembershipUuid = pm.uuid
  LEFT JOIN Programme pr ON pr.id = pm.programmeId
 ORDER BY pm.personId
