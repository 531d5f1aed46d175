-- The development TCS schema, 2019 shape (SPEC 2): the tables that differ
-- from the 2026 shape (after tcs_schema.sql).
CREATE TABLE IF NOT EXISTS Person (
    id BIGINT PRIMARY KEY, intrepidId VARCHAR(255), role VARCHAR(255),
    status VARCHAR(255), publicHealthNumber VARCHAR(255)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS Post (
    id BIGINT PRIMARY KEY, nationalPostNumber VARCHAR(255), employingBodyId BIGINT NULL,
    trainingBodyId BIGINT NULL, owner VARCHAR(255)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS Specialty (
    id BIGINT PRIMARY KEY, name VARCHAR(255)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS ProgrammeMembership (
    id BIGINT PRIMARY KEY, personId BIGINT NOT NULL, programmeId BIGINT, trainingNumberId BIGINT NULL,
    programmeStartDate DATE, programmeEndDate DATE,
    KEY idx_pm_person (personId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
