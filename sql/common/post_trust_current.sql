-- The current PostTrust rows, shaped (postId, trustId, NULL, NULL, id).
SELECT postId, trustId, NULL, NULL, id FROM PostTrust ORDER BY postId
