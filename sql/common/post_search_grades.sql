-- PostElasticSearchSyncJob: the APPROVED grades by post, lowest row id
-- first (the job takes the first: TCS sometimes has two).
SELECT postId, gradeId
  FROM PostGrade
 WHERE postGradeType = 'APPROVED'
 ORDER BY postId, id
