-- PostElasticSearchSyncJob: the PRIMARY specialties by post with their
-- Specialty (id, code, name; NULL when the specialty is missing), lowest
-- PostSpecialty row id first (the job takes the first).
SELECT ps.postId, sp.id, sp.specialtyCode, sp.name
  FROM PostSpecialty ps
  LEFT JOIN Specialty sp ON sp.id = ps.specialtyId
 WHERE ps.postSpecialtyType = 'PRIMARY'
 ORDER BY ps.postId, ps.id
