-- PostTrust jobs: each post with its employing and training body.
SELECT id, employingBodyId, trainingBodyId FROM Post ORDER BY id
