-- The development TCS schema, 2019 shape (SPEC 2): the tables that differ
-- from the 2026 shape (after tcs_schema.sql).
CREATE TABLE IF NOT EXISTS Person (
    id INTEGER PRIMARY KEY, intrepidId VARCHAR(255), role VARCHAR(255),
    status VARCHAR(255), publicHealthNumber VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS Post (
    id INTEGER PRIMARY KEY, nationalPostNumber VARCHAR(255), employingBodyId BIGINT NULL,
    trainingBodyId BIGINT NULL, owner VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS Specialty (
    id INTEGER PRIMARY KEY, name VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS ProgrammeMembership (
    id INTEGER PRIMARY KEY, personId BIGINT NOT NULL, programmeId BIGINT, trainingNumberId BIGINT NULL,
    programmeStartDate DATE, programmeEndDate DATE
);
CREATE INDEX IF NOT EXISTS idx_pm_person ON ProgrammeMembership (personId);
