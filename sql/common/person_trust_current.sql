-- The current PersonTrust rows, shaped (personId, trustId, NULL, NULL, id).
SELECT personId, trustId, NULL, NULL, id FROM PersonTrust ORDER BY personId
