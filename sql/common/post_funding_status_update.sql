-- PostFundingStatusSyncJob: one batch of posts (the job appends the list of
-- ids); ?1 is the status. The WHERE checks it again.
UPDATE Post SET fundingStatus = ?1
 WHERE (fundingStatus IS NULL OR fundingStatus <> ?1) AND id IN
