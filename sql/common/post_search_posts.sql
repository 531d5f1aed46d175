-- PostElasticSearchSyncJob (SPEC-2026 2.3): every post, by id. The status
-- of the document is the funding status, not Post.status.
SELECT p.id, p.nationalPostNumber, p.owner, p.fundingStatus
  FROM Post p
 ORDER BY p.id
