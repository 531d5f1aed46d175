-- PostElasticSearchSyncJob: the funding types of the fundings counting
-- today (?1): running today, or open-ended (no end date), by post.
SELECT postId, fundingType
  FROM PostFunding
 WHERE (startDate <= ?1 AND endDate >= ?1) OR endDate IS NULL
 ORDER BY postId
