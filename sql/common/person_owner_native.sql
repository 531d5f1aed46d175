-- PersonOwnerRebuildJob, native mode: the rule of SPEC 1.1 as one
-- set-based statement. ?1 = today (YYYY-MM-DD).
--
-- candidate: every row each step looks at (a row with inconsistent dates
--   may stand in two steps, as it would in the procedure);
-- first_of_step: the ONE row each step takes (its order, ties by row id);
-- chosen: the first step whose row has an owner, else the last step that
--   had a row (owner NULL).
-- Shaped (id, 0, owner, rule, NULL) and ordered by id for the diff engine.
WITH candidate AS (
    SELECT pm.personId AS personId, 1 AS step, pm.programmeStartDate AS asc_key,
           NULL AS desc_key, pm.id AS row_id, pg.owner AS owner
      FROM ProgrammeMembership pm JOIN Programme pg ON pg.id = pm.programmeId
     WHERE pm.programmeStartDate <= ?1 AND ?1 <= pm.programmeEndDate
    UNION ALL
    SELECT pl.traineeId, 2, pl.dateFrom, NULL, pl.id, po.owner
      FROM Placement pl JOIN Post po ON po.id = pl.postId
     WHERE pl.dateFrom <= ?1 AND ?1 <= pl.dateTo
    UNION ALL
    SELECT pm.personId, 5, pm.programmeStartDate, NULL, pm.id, pg.owner
      FROM ProgrammeMembership pm JOIN Programme pg ON pg.id = pm.programmeId
     WHERE ?1 < pm.programmeStartDate
    UNION ALL
    SELECT pl.traineeId, 6, pl.dateFrom, NULL, pl.id, po.owner
      FROM Placement pl JOIN Post po ON po.id = pl.postId
     WHERE ?1 < pl.dateFrom
    UNION ALL
    SELECT pm.personId, 7, NULL, pm.programmeEndDate, pm.id, pg.owner
      FROM ProgrammeMembership pm JOIN Programme pg ON pg.id = pm.programmeId
     WHERE ?1 > pm.programmeEndDate
    UNION ALL
    SELECT pl.traineeId, 8, NULL, pl.dateTo, pl.id, po.owner
      FROM Placement pl JOIN Post po ON po.id = pl.postId
     WHERE ?1 > pl.dateTo
),
first_of_step AS (
    SELECT personId, step, owner,
           ROW_NUMBER() OVER (PARTITION BY personId, step
                              ORDER BY asc_key, desc_key DESC, row_id) AS rn
      FROM candidate
),
chosen AS (
    SELECT personId, step, owner,
           ROW_NUMBER() OVER (PARTITION BY personId
                              ORDER BY owner IS NULL,
                                       CASE WHEN owner IS NULL THEN -step ELSE step END) AS pick
      FROM first_of_step
     WHERE rn = 1
)
SELECT p.id, 0, c.owner,
       CASE c.step WHEN 1 THEN 'P1' WHEN 2 THEN 'P2' WHEN 5 THEN 'P5'
                   WHEN 6 THEN 'P6' WHEN 7 THEN 'P7' WHEN 8 THEN 'P8' END,
       NULL
  FROM Person p
  LEFT JOIN chosen c ON c.personId = p.id AND c.pick = 1
 ORDER BY p.id
