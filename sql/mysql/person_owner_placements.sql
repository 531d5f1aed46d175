-- MariaDB/MySQL variant of sql/common/person_owner_placements.sql: STRAIGHT_JOIN keeps the
-- scan on the ordered table; left alone, the optimizer starts from the
-- smaller joined table and sorts everything in a temporary table (3x slower).
SELECT STRAIGHT_JOIN pl.traineeId, pl.id, pl.dateFrom, pl.dateTo, po.owner
  FROM Placement pl
  JOIN Post po ON po.id = pl.postId
 ORDER BY pl.traineeId
