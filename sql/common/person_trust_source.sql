-- PersonTrust jobs: every placement of an existing person with its post's
-- employing and training body, grouped by person. Distinct pairs are taken
-- in C per person (a person has few placements), which spares the server a
-- DISTINCT sort over all placements.
SELECT pl.traineeId, po.employingBodyId, po.trainingBodyId
  FROM Placement pl
  JOIN Person p ON p.id = pl.traineeId
  JOIN Post po ON po.id = pl.postId
 ORDER BY pl.traineeId
