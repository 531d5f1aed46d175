-- RevalCurrentPlacementSyncJob (SPEC-2026 2.4): the trainees whose current
-- placement changes today (?1): one starts today or ended yesterday (?2).
-- Distinct, ascending.
SELECT DISTINCT traineeId
  FROM Placement
 WHERE traineeId IS NOT NULL AND (dateFrom = ?1 OR dateTo = ?2)
 ORDER BY traineeId
