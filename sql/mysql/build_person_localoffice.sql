-- build_person_localoffice(): our development copy of the TCS procedure
-- (SPEC 1.1), written the way the legacy one works: a cursor over every
-- person and, per rule, a COUNT then a SELECT (12 queries per person).
-- `tis-sync init-db --tcs` creates it only where no such procedure exists,
-- so a production TCS keeps its own. Today is UTC_DATE(), which follows the
-- session timestamp (the job sets it for --today).
CREATE PROCEDURE IF NOT EXISTS build_person_localoffice()
BEGIN
    DECLARE done INT DEFAULT 0;
    DECLARE v_person BIGINT;
    DECLARE v_owner VARCHAR(255);
    DECLARE v_rule VARCHAR(255);
    DECLARE v_found INT;
    DECLARE v_today DATE DEFAULT UTC_DATE();
    DECLARE persons CURSOR FOR SELECT id FROM Person ORDER BY id;
    DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;

    DELETE FROM PersonOwner;
    OPEN persons;
    person_loop: LOOP
        FETCH persons INTO v_person;
        IF done THEN
            LEAVE person_loop;
        END IF;
        SET v_owner = NULL, v_rule = NULL;

        SELECT COUNT(*) INTO v_found FROM ProgrammeMembership pm JOIN Programme pg ON pg.id = pm.programmeId
         WHERE pm.personId = v_person AND pm.programmeStartDate <= v_today AND v_today <= pm.programmeEndDate;
        IF v_found > 0 THEN
            SELECT pg.owner INTO v_owner FROM ProgrammeMembership pm JOIN Programme pg ON pg.id = pm.programmeId
             WHERE pm.personId = v_person AND pm.programmeStartDate <= v_today AND v_today <= pm.programmeEndDate
             ORDER BY pm.programmeStartDate, pm.id LIMIT 1;
            SET v_rule = 'P1';
        END IF;

        IF v_owner IS NULL THEN
            SELECT COUNT(*) INTO v_found FROM Placement pl JOIN Post po ON po.id = pl.postId
             WHERE pl.traineeId = v_person AND pl.dateFrom <= v_today AND v_today <= pl.dateTo;
            IF v_found > 0 THEN
                SELECT po.owner INTO v_owner FROM Placement pl JOIN Post po ON po.id = pl.postId
                 WHERE pl.traineeId = v_person AND pl.dateFrom <= v_today AND v_today <= pl.dateTo
                 ORDER BY pl.dateFrom, pl.id LIMIT 1;
                SET v_rule = 'P2';
            END IF;
        END IF;

        IF v_owner IS NULL THEN
            SELECT COUNT(*) INTO v_found FROM ProgrammeMembership pm JOIN Programme pg ON pg.id = pm.programmeId
             WHERE pm.personId = v_person AND v_today < pm.programmeStartDate;
            IF v_found > 0 THEN
                SELECT pg.owner INTO v_owner FROM ProgrammeMembership pm JOIN Programme pg ON pg.id = pm.programmeId
                 WHERE pm.personId = v_person AND v_today < pm.programmeStartDate
                 ORDER BY pm.programmeStartDate, pm.id LIMIT 1;
                SET v_rule = 'P5';
            END IF;
        END IF;

        IF v_owner IS NULL THEN
            SELECT COUNT(*) INTO v_found FROM Placement pl JOIN Post po ON po.id = pl.postId
             WHERE pl.traineeId = v_person AND v_today < pl.dateFrom;
            IF v_found > 0 THEN
                SELECT po.owner INTO v_owner FROM Placement pl JOIN Post po ON po.id = pl.postId
                 WHERE pl.traineeId = v_person AND v_today < pl.dateFrom
                 ORDER BY pl.dateFrom, pl.id LIMIT 1;
                SET v_rule = 'P6';
            END IF;
        END IF;

        IF v_owner IS NULL THEN
            SELECT COUNT(*) INTO v_found FROM ProgrammeMembership pm JOIN Programme pg ON pg.id = pm.programmeId
             WHERE pm.personId = v_person AND v_today > pm.programmeEndDate;
            IF v_found > 0 THEN
                SELECT pg.owner INTO v_owner FROM ProgrammeMembership pm JOIN Programme pg ON pg.id = pm.programmeId
                 WHERE pm.personId = v_person AND v_today > pm.programmeEndDate
                 ORDER BY pm.programmeEndDate DESC, pm.id LIMIT 1;
                SET v_rule = 'P7';
            END IF;
        END IF;

        IF v_owner IS NULL THEN
            SELECT COUNT(*) INTO v_found FROM Placement pl JOIN Post po ON po.id = pl.postId
             WHERE pl.traineeId = v_person AND v_today > pl.dateTo;
            IF v_found > 0 THEN
                SELECT po.owner INTO v_owner FROM Placement pl JOIN Post po ON po.id = pl.postId
                 WHERE pl.traineeId = v_person AND v_today > pl.dateTo
                 ORDER BY pl.dateTo DESC, pl.id LIMIT 1;
                SET v_rule = 'P8';
            END IF;
        END IF;

        -- An upsert: a TCS Placement trigger may have written the row meanwhile.
        INSERT INTO PersonOwner (id, owner, rule) VALUES (v_person, v_owner, v_rule)
            ON DUPLICATE KEY UPDATE owner = VALUES(owner), rule = VALUES(rule);
    END LOOP;
    CLOSE persons;
END
