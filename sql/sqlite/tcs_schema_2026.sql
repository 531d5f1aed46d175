-- The development TCS schema, 2026 shape (SPEC-2026 1): the tables that
-- differ from the 2019 shape, and the tables the newer jobs read (after
-- tcs_schema.sql). ProgrammeMembership is one row per membership, keyed by
-- a uuid; its curricula are CurriculumMembership rows. Times are UTC text
-- 'YYYY-MM-DD HH:MM:SS.mmm'.
CREATE TABLE IF NOT EXISTS Person (
    id INTEGER PRIMARY KEY, intrepidId VARCHAR(255), role VARCHAR(255),
    status VARCHAR(255), publicHealthNumber VARCHAR(255),
    amendedDate DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
);
CREATE TABLE IF NOT EXISTS Post (
    id INTEGER PRIMARY KEY, nationalPostNumber VARCHAR(255), employingBodyId BIGINT NULL,
    trainingBodyId BIGINT NULL, owner VARCHAR(255),
    fundingStatus VARCHAR(255) NOT NULL DEFAULT 'INACTIVE'
);
CREATE TABLE IF NOT EXISTS Specialty (
    id INTEGER PRIMARY KEY, name VARCHAR(255), specialtyCode VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS ProgrammeMembership (
    uuid VARCHAR(36) PRIMARY KEY, personId BIGINT NOT NULL, programmeId BIGINT NOT NULL,
    trainingNumberId BIGINT NULL, programmeStartDate DATE, programmeEndDate DATE, amendedDate DATETIME
);
CREATE TABLE IF NOT EXISTS CurriculumMembership (
    id INTEGER PRIMARY KEY AUTOINCREMENT, programmeMembershipUuid VARCHAR(36) NOT NULL,
    curriculumId BIGINT NOT NULL, curriculumStartDate DATE, curriculumEndDate DATE
);
CREATE TABLE IF NOT EXISTS PostFunding (
    id INTEGER PRIMARY KEY, postId BIGINT NOT NULL, fundingType VARCHAR(255), startDate DATE, endDate DATE
);
CREATE TABLE IF NOT EXISTS PostGrade (
    id INTEGER PRIMARY KEY, postId BIGINT NOT NULL, gradeId BIGINT NOT NULL, postGradeType VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS PostSite (
    id INTEGER PRIMARY KEY, postId BIGINT NOT NULL, siteId BIGINT NOT NULL, postSiteType VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS PostSpecialty (
    id INTEGER PRIMARY KEY, postId BIGINT NOT NULL, specialtyId BIGINT, postSpecialtyType VARCHAR(255)
);
CREATE TABLE IF NOT EXISTS ProgrammePost (
    programmeId BIGINT NOT NULL, postId BIGINT NOT NULL, PRIMARY KEY (programmeId, postId)
);
CREATE INDEX IF NOT EXISTS idx_pm_person ON ProgrammeMembership (personId);
CREATE INDEX IF NOT EXISTS idx_cm_pm ON CurriculumMembership (programmeMembershipUuid);
CREATE INDEX IF NOT EXISTS idx_postfunding_post ON PostFunding (postId);
CREATE INDEX IF NOT EXISTS idx_postgrade_post ON PostGrade (postId);
CREATE INDEX IF NOT EXISTS idx_postsite_post ON PostSite (postId);
CREATE INDEX IF NOT EXISTS idx_postspecialty_post ON PostSpecialty (postId);
CREATE INDEX IF NOT EXISTS idx_programmepost_post ON ProgrammePost (postId);
