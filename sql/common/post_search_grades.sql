-- PostElasticSearchSyncJob: the APPROVED grades by post, lowest row id
-- first (the job takes the first: TCS sometimes has two).
SELECT pg.postId, pg.gradeId
  FROM PostGrade pg
 WHERE pg.postGradeType = 'APPROVED'
 ORDER BY pg.postId, pg.id
