-- PostElasticSearchSyncJob: PostTrust rows by post (employing and training
-- pairs; the job keeps each trust once).
SELECT pt.postId, pt.trustId
  FROM PostTrust pt
 ORDER BY pt.postId
