-- PersonElasticSearchSyncJob, 2026 schema: the nested programmeMemberships
-- come from CurriculumMembership joined (inner) to its ProgrammeMembership
-- (SPEC-2026 1): the id is the CurriculumMembership's, the rest is the
-- membership's; TCS no longer keeps training numbers, so that column is
-- NULL. A membership without a curriculum has no entry. Columns as in
-- person_search_memberships.sql; grouped by person (the job orders each
-- person's entries by id).
SELECT pm.personId, cm.id, pm.programmeId, pr.programmeName, pr.programmeNumber, NULL,
       pm.programmeStartDate, pm.programmeEndDate
  FROM ProgrammeMembership pm
  JOIN CurriculumMembership cm ON cm.programmeMembershipUuid = pm.uuid
  LEFT JOIN Programme pr ON pr.id = pm.programmeId
 ORDER BY pm.personId
