-- MariaDB/MySQL variant of sql/common/person_trust_source.sql: STRAIGHT_JOIN keeps the
-- scan on the ordered table; left alone, the optimizer starts from the
-- smaller joined table and sorts everything in a temporary table (3x slower).
SELECT STRAIGHT_JOIN pl.traineeId, po.employingBodyId, po.trainingBodyId
  FROM Placement pl
  JOIN Person p ON p.id = pl.traineeId
  JOIN Post po ON po.id = pl.postId
 ORDER BY pl.traineeId
