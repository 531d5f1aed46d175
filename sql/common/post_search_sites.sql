-- PostElasticSearchSyncJob: the PRIMARY sites by post, lowest row id first
-- (the job takes the first: TCS sometimes has two).
SELECT postId, siteId
  FROM PostSite
 WHERE postSiteType = 'PRIMARY'
 ORDER BY postId, id
