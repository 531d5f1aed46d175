-- The development TCS schema, 2026 shape (SPEC-2026 1): the tables that
-- differ from the 2019 shape, and the tables the newer jobs read (after
-- tcs_schema.sql). ProgrammeMembership is one row per membership, keyed by
-- a uuid; its curricula are CurriculumMembership rows.
CREATE TABLE IF NOT EXISTS Person (
    id BIGINT PRIMARY KEY, intrepidId VARCHAR(255), role VARCHAR(255),
    status VARCHAR(255), publicHealthNumber VARCHAR(255),
    amendedDate DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS Post (
    id BIGINT PRIMARY KEY, nationalPostNumber VARCHAR(255), employingBodyId BIGINT NULL,
    trainingBodyId BIGINT NULL, owner VARCHAR(255),
    fundingStatus VARCHAR(255) NOT NULL DEFAULT 'INACTIVE'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS Specialty (
    id BIGINT PRIMARY KEY, name VARCHAR(255), specialtyCode VARCHAR(255)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS ProgrammeMembership (
    uuid VARCHAR(36) PRIMARY KEY, personId BIGINT NOT NULL, programmeId BIGINT NOT NULL,
    trainingNumberId BIGINT NULL, programmeStartDate DATE, programmeEndDate DATE, amendedDate DATETIME(3),
    KEY idx_pm_person (personId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS CurriculumMembership (
    id BIGINT PRIMARY KEY AUTO_INCREMENT, programmeMembershipUuid VARCHAR(36) NOT NULL,
    curriculumId BIGINT NOT NULL, curriculumStartDate DATE, curriculumEndDate DATE,
    KEY idx_cm_pm (programmeMembershipUuid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS PostFunding (
    id BIGINT PRIMARY KEY, postId BIGINT NOT NULL, fundingType VARCHAR(255), startDate DATE, endDate DATE,
    KEY idx_postfunding_post (postId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS PostGrade (
    id BIGINT PRIMARY KEY, postId BIGINT NOT NULL, gradeId BIGINT NOT NULL, postGradeType VARCHAR(255),
    KEY idx_postgrade_post (postId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS PostSite (
    id BIGINT PRIMARY KEY, postId BIGINT NOT NULL, siteId BIGINT NOT NULL, postSiteType VARCHAR(255),
    KEY idx_postsite_post (postId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS PostSpecialty (
    id BIGINT PRIMARY KEY, postId BIGINT NOT NULL, specialtyId BIGINT, postSpecialtyType VARCHAR(255),
    KEY idx_postspecialty_post (postId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS ProgrammePost (
    programmeId BIGINT NOT NULL, postId BIGINT NOT NULL, PRIMARY KEY (programmeId, postId),
    KEY idx_programmepost_post (postId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
