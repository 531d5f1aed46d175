-- PersonElasticSearchSyncJob: the rows of the search view of SPEC 1.3 in
-- one ordered pass (no OFFSET paging). ?1 is today (YYYY-MM-DD): only
-- CURRENT placements join (a NULL date never matches). Rows of one person
-- are adjacent; their order within the person does not matter, because the
-- job sorts and de-duplicates a person's documents itself.
SELECT p.id, p.intrepidId, cd.surname, cd.forenames, gmc.gmcNumber, gdc.gdcNumber, p.publicHealthNumber,
       pl.gradeId, pl.gradeAbbreviation, pl.siteId, pl.siteCode, pl.placementType, sp.name,
       p.role, p.status, po.owner, po.rule
  FROM Person p
  JOIN ContactDetails cd ON cd.id = p.id
  LEFT JOIN GmcDetails gmc ON gmc.id = p.id
  LEFT JOIN GdcDetails gdc ON gdc.id = p.id
  LEFT JOIN PersonOwner po ON po.id = p.id
  LEFT JOIN Placement pl ON pl.traineeId = p.id AND pl.dateFrom <= ?1 AND pl.dateTo >= ?1
  LEFT JOIN PlacementSpecialty ps ON ps.placementId = pl.id AND ps.placementSpecialtyType = 'PRIMARY'
  LEFT JOIN Specialty sp ON sp.id = ps.specialtyId
 ORDER BY p.id
