-- The current PersonTrust rows, shaped (personId, trustId, NULL, NULL, id).
SELECT PersonTrust.personId, PersonTrust.trustId, NULL, NULL, PersonTrust.id FROM PersonTrust
 ORDER BY PersonTrust.personId
