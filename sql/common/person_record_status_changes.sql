-- PersonRecordStatusJob (SPEC-2026 2.1) for a date of change D (?2): the
-- persons with a programme membership starting on D or ending on D - 1
-- (?3), each with the status its memberships give today (?1): CURRENT when
-- one of them has both dates and runs today, else INACTIVE. Only the
-- persons whose Person.status differs (NULL and DELETE included), by id.
-- Driven by the memberships the date selects (c): a person selected twice
-- has its memberships twice, which MAX does not mind.
SELECT p.id,
       CASE WHEN MAX(CASE WHEN pm.programmeStartDate <= ?1 AND pm.programmeEndDate >= ?1 THEN 1 ELSE 0 END) = 1
            THEN 'CURRENT' ELSE 'INACTIVE' END AS wanted
  FROM ProgrammeMembership c
  JOIN Person p ON p.id = c.personId
  JOIN ProgrammeMembership pm ON pm.personId = p.id
 WHERE c.programmeStartDate = ?2 OR c.programmeEndDate = ?3
 GROUP BY p.id, p.status
HAVING p.status IS NULL OR p.status <> wanted
 ORDER BY p.id
