-- MariaDB/MySQL variant of sql/common/person_search_memberships_2026.sql:
-- STRAIGHT_JOIN walks ProgrammeMembership in (personId, uuid) index order
-- and each membership's curricula in (uuid, id) index order, which is the
-- order asked for, so nothing is sorted.
SELECT STRAIGHT_JOIN pm.personId, cm.id, pm.programmeId, pr.programmeName, pr.programmeNumber, NULL,
       pm.programmeStartDate, pm.programmeEndDate
  FROM ProgrammeMembership pm
  JOIN CurriculumMembership cm ON cm.programmeMembershipUuid = pm.uuid
  LEFT JOIN Programme pr ON pr.id = pm.programmeId
 ORDER BY pm.personId, pm.uuid, cm.id
