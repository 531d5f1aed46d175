-- PostElasticSearchSyncJob: the trainees of each post's current placements
-- (any placement type; ?1 is today), by post then trainee id, with their
-- names (NULL without ContactDetails). A trainee with two current
-- placements in a post comes twice; the job counts it once.
SELECT pl.postId, pl.traineeId, cd.surname, cd.forenames
  FROM Placement pl
  LEFT JOIN ContactDetails cd ON cd.id = pl.traineeId
 WHERE pl.traineeId IS NOT NULL AND pl.dateFrom <= ?1 AND pl.dateTo >= ?1
 ORDER BY pl.postId, pl.traineeId
