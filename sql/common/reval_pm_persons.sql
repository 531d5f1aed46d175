-- RevalCurrentPmSyncJob (SPEC-2026 2.4): the persons whose current
-- programme membership changes today (?1): one starts today or ended
-- yesterday (?2). Distinct, ascending.
SELECT DISTINCT personId
  FROM ProgrammeMembership
 WHERE programmeStartDate = ?1 OR programmeEndDate = ?2
 ORDER BY personId
