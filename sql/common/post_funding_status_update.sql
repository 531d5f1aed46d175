-- PostFundingStatusSyncJob: one batch of posts (the job appends the list of
-- ids); ?1 is the status. The WHERE checks it again.
UPDATE Post SET fundingStatus = ?1
 WHERE (Post.fundingStatus IS NULL OR Post.fundingStatus <> ?1) AND Post.id IN
