-- The current PostTrust rows, shaped (postId, trustId, NULL, NULL, id).
SELECT PostTrust.postId, PostTrust.trustId, NULL, NULL, PostTrust.id FROM PostTrust ORDER BY PostTrust.postId
