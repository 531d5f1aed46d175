-- RevalCurrentPlacementSyncJob (SPEC-2026 2.4): the trainees whose current
-- placement changes today (?1): one starts today or ended yesterday (?2).
-- Distinct, ascending.
SELECT DISTINCT pl.traineeId
  FROM Placement pl
 WHERE pl.traineeId IS NOT NULL AND (pl.dateFrom = ?1 OR pl.dateTo = ?2)
 ORDER BY pl.traineeId
