-- PostFundingStatusSyncJob (SPEC-2026 2.2), ?1 = yesterday (Y): the posts
-- with a funding that has a start date and ended on Y, and no funding that
-- is open-ended or ends after Y, whose fundingStatus is anything but
-- INACTIVE (empty and unknown values included), by id.
SELECT p.id, 'INACTIVE'
  FROM Post p
 WHERE (p.fundingStatus IS NULL OR p.fundingStatus <> 'INACTIVE')
   AND EXISTS (SELECT 1 FROM PostFunding f
                WHERE f.postId = p.id AND f.startDate IS NOT NULL AND f.endDate = ?1)
   AND NOT EXISTS (SELECT 1 FROM PostFunding f
                    WHERE f.postId = p.id AND (f.endDate IS NULL OR f.endDate > ?1))
 ORDER BY p.id
