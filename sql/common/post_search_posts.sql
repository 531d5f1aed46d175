-- PostElasticSearchSyncJob (SPEC-2026 2.3): every post, by id. The status
-- of the document is the funding status, not Post.status.
SELECT id, nationalPostNumber, owner, fundingStatus
  FROM Post
 ORDER BY id
