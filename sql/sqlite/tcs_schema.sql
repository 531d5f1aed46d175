-- The development TCS schema (SQLite): the tables both shapes share (SPEC
-- 2). tcs_schema_2019.sql or tcs_schema_2026.sql adds the rest. In
-- production these tables belong to TCS and already exist; `tis-sync
-- init-db --tcs` creates them only where they are missing and never alters
-- one.
CREATE TABLE IF NOT EXISTS ContactDetails (
    id INTEGER PRIMARY KEY, surname VARCHAR(255), forenames VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS GmcDetails (
    id INTEGER PRIMARY KEY, gmcNumber VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS GdcDetails (
    id INTEGER PRIMARY KEY, gdcNumber VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS Placement (
    id INTEGER PRIMARY KEY, traineeId BIGINT, postId BIGINT, dateFrom DATE, dateTo DATE,
    gradeId BIGINT, gradeAbbreviation VARCHAR(255), siteId BIGINT, siteCode VARCHAR(255),
    placementType VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS PlacementSpecialty (
    placementId BIGINT NOT NULL, specialtyId BIGINT NOT NULL, placementSpecialtyType VARCHAR(255),
    PRIMARY KEY (placementId, specialtyId)
);
CREATE TABLE IF NOT EXISTS Programme (
    id INTEGER PRIMARY KEY, programmeName VARCHAR(255), programmeNumber VARCHAR(255), owner VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS TrainingNumber (
    id INTEGER PRIMARY KEY, trainingNumber VARCHAR(25)
);
CREATE TABLE IF NOT EXISTS PersonOwner (
    id BIGINT NOT NULL UNIQUE, owner VARCHAR(255), rule VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS PersonTrust (
    id INTEGER PRIMARY KEY AUTOINCREMENT, personId BIGINT NOT NULL, trustId BIGINT NOT NULL,
    trustCode VARCHAR(255), trustName VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS PostTrust (
    id INTEGER PRIMARY KEY AUTOINCREMENT, postId BIGINT NOT NULL, trustId BIGINT NOT NULL,
    trustCode VARCHAR(255), trustName VARCHAR(255)
);
CREATE INDEX IF NOT EXISTS idx_placement_trainee ON Placement (traineeId);
CREATE INDEX IF NOT EXISTS idx_placement_post ON Placement (postId);
CREATE INDEX IF NOT EXISTS idx_persontrust_person ON PersonTrust (personId);
CREATE INDEX IF NOT EXISTS idx_posttrust_post ON PostTrust (postId);
