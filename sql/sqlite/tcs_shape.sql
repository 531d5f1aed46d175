-- The TCS schema shape (SPEC-2026 1): 2026 when ProgrammeMembership has a
-- uuid column, 2019 when it has not, 0 when there is no such table.
SELECT COALESCE(MAX(CASE WHEN name = 'uuid' THEN 2026 ELSE 2019 END), 0)
  FROM pragma_table_info('ProgrammeMembership')
