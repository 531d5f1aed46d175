-- PostElasticSearchSyncJob: the number of posts to index, for progress only.
SELECT COUNT(*) FROM Post
