-- The development TCS schema (MariaDB/MySQL): the tables both shapes share
-- (SPEC 2). tcs_schema_2019.sql or tcs_schema_2026.sql adds the rest. In
-- production these tables belong to TCS and already exist; `tis-sync
-- init-db --tcs` creates them only where they are missing and never alters
-- one.
CREATE TABLE IF NOT EXISTS ContactDetails (
    id BIGINT PRIMARY KEY, surname VARCHAR(255), forenames VARCHAR(255)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS GmcDetails (
    id BIGINT PRIMARY KEY, gmcNumber VARCHAR(255)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS GdcDetails (
    id BIGINT PRIMARY KEY, gdcNumber VARCHAR(255)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS Placement (
    id BIGINT PRIMARY KEY, traineeId BIGINT, postId BIGINT, dateFrom DATE, dateTo DATE,
    gradeId BIGINT, gradeAbbreviation VARCHAR(255), siteId BIGINT, siteCode VARCHAR(255),
    placementType VARCHAR(255),
    KEY idx_placement_trainee (traineeId), KEY idx_placement_post (postId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS PlacementSpecialty (
    placementId BIGINT NOT NULL, specialtyId BIGINT NOT NULL, placementSpecialtyType VARCHAR(255),
    PRIMARY KEY (placementId, specialtyId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS Programme (
    id BIGINT PRIMARY KEY, programmeName VARCHAR(255), programmeNumber VARCHAR(255), owner VARCHAR(255)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS TrainingNumber (
    id BIGINT PRIMARY KEY, trainingNumber VARCHAR(25)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS PersonOwner (
    id BIGINT NOT NULL UNIQUE, owner VARCHAR(255), rule VARCHAR(255)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS PersonTrust (
    id BIGINT PRIMARY KEY AUTO_INCREMENT, personId BIGINT NOT NULL, trustId BIGINT NOT NULL,
    trustCode VARCHAR(255), trustName VARCHAR(255), KEY idx_persontrust_person (personId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS PostTrust (
    id BIGINT PRIMARY KEY AUTO_INCREMENT, postId BIGINT NOT NULL, trustId BIGINT NOT NULL,
    trustCode VARCHAR(255), trustName VARCHAR(255), KEY idx_posttrust_post (postId)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
