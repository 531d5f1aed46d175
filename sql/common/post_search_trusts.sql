-- PostElasticSearchSyncJob: PostTrust rows by post (employing and training
-- pairs; the job keeps each trust once).
SELECT postId, trustId
  FROM PostTrust
 ORDER BY postId
