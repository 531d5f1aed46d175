-- PersonElasticSearchSyncJob: PersonTrust rows by person, merged with the
-- view rows in C. Distinct pairs are taken per person in C (a person has a
-- handful), which spares the server a DISTINCT over the whole table.
SELECT PersonTrust.personId, PersonTrust.trustId
  FROM PersonTrust
 ORDER BY PersonTrust.personId
