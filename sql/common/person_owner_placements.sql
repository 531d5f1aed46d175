-- PersonOwnerRebuildJob, native mode: the PL rows of SPEC 1.1 (placements
-- joined to their post), grouped by trainee.
SELECT pl.traineeId, pl.id, pl.dateFrom, pl.dateTo, po.owner
  FROM Placement pl
  JOIN Post po ON po.id = pl.postId
 ORDER BY pl.traineeId
