-- 0024: the single view of a person (GET /api/v1/people/{id}: the person,
-- their household with its members' names, and their home) kept rendered,
-- one row per person. Triggers below set body to NULL (and count gen up)
-- in the same transaction as any change that alters a view, so a view read
-- is never older than the data; web/personview.c renders again what is
-- NULL, in the background, and stores it only if gen has not moved since
-- it read the data (store_view_put). Every person has a row, from the
-- moment they are created.
CREATE TABLE person_view (
    person_id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL,
    gen INTEGER NOT NULL DEFAULT 0,
    body TEXT,          -- the JSON object without the sensitive fields; NULL: to render
    sensitive TEXT,     -- JSON array of the sensitive fields' values, NULL if all are null
    etag TEXT,
    shown TEXT,         -- ids of everyone the view shows, space-separated (each read is audited)
    changes_on TEXT,    -- the view is valid only before this date (a membership starts)
    valid_through TEXT  -- ... and up to this date (a membership ends)
);
CREATE INDEX person_view_stale ON person_view (council_id, person_id) WHERE body IS NULL;
INSERT INTO person_view (person_id, council_id) SELECT id, council_id FROM people;

-- The one place that clears views: inserting (council, household, person)
-- into person_view_touch clears the person's view and every view of the
-- household's members (either may be NULL). Every trigger below says only
-- what a change touches.
CREATE VIEW person_view_touch AS SELECT 0 AS council_id, 0 AS household_id, 0 AS person_id WHERE 0;
CREATE TRIGGER person_view_touch INSTEAD OF INSERT ON person_view_touch BEGIN
    UPDATE person_view SET gen = gen + 1, body = NULL
     WHERE person_id IN (SELECT person_id FROM household_members
                          WHERE council_id = NEW.council_id AND household_id = NEW.household_id
                         UNION ALL SELECT NEW.person_id);
END;

CREATE TRIGGER person_view_new AFTER INSERT ON people BEGIN
    INSERT OR IGNORE INTO person_view (person_id, council_id) VALUES (NEW.id, NEW.council_id);
END;
CREATE TRIGGER person_view_gone AFTER DELETE ON people BEGIN
    DELETE FROM person_view WHERE person_id = OLD.id;
END;
-- Household members show each other's names.
CREATE TRIGGER person_view_person AFTER UPDATE ON people BEGIN
    INSERT INTO person_view_touch VALUES (NEW.council_id, NULL, NEW.id);
    INSERT INTO person_view_touch SELECT council_id, household_id, NULL FROM household_members
     WHERE council_id = NEW.council_id AND person_id = NEW.id
       AND (OLD.given_name IS NOT NEW.given_name OR OLD.family_name IS NOT NEW.family_name);
END;
CREATE TRIGGER person_view_member_in AFTER INSERT ON household_members BEGIN
    INSERT INTO person_view_touch VALUES (NEW.council_id, NEW.household_id, NEW.person_id);
END;
CREATE TRIGGER person_view_member_out AFTER DELETE ON household_members BEGIN
    INSERT INTO person_view_touch VALUES (OLD.council_id, OLD.household_id, OLD.person_id);
END;
CREATE TRIGGER person_view_member_change AFTER UPDATE ON household_members BEGIN
    INSERT INTO person_view_touch VALUES (OLD.council_id, OLD.household_id, OLD.person_id);
    INSERT INTO person_view_touch VALUES (NEW.council_id, NEW.household_id, NEW.person_id);
END;
CREATE TRIGGER person_view_household AFTER UPDATE ON households BEGIN
    INSERT INTO person_view_touch VALUES (NEW.council_id, NEW.id, NULL);
END;
CREATE TRIGGER person_view_property AFTER UPDATE ON properties BEGIN
    INSERT INTO person_view_touch SELECT council_id, id, NULL FROM households
     WHERE council_id = NEW.council_id AND property_id = NEW.id;
END;
