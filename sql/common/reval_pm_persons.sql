-- RevalCurrentPmSyncJob (SPEC-2026 2.4): the persons whose current
-- programme membership changes today (?1): one starts today or ended
-- yesterday (?2). Distinct, ascending.
SELECT DISTINCT pm.personId
  FROM ProgrammeMembership pm
 WHERE pm.programmeStartDate = ?1 OR pm.programmeEndDate = ?2
 ORDER BY pm.personId
