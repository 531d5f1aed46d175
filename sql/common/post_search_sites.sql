-- PostElasticSearchSyncJob: the PRIMARY sites by post, lowest row id first
-- (the job takes the first: TCS sometimes has two).
SELECT ps.postId, ps.siteId
  FROM PostSite ps
 WHERE ps.postSiteType = 'PRIMARY'
 ORDER BY ps.postId, ps.id
