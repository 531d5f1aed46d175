-- PostElasticSearchSyncJob: the funding types of the fundings counting
-- today (?1): running today, or open-ended (no end date), by post.
SELECT pf.postId, pf.fundingType
  FROM PostFunding pf
 WHERE (pf.startDate <= ?1 AND pf.endDate >= ?1) OR pf.endDate IS NULL
 ORDER BY pf.postId
