-- PostTrust jobs: each post with its employing and training body.
SELECT Post.id, Post.employingBodyId, Post.trainingBodyId FROM Post ORDER BY Post.id
