-- 0024: the single view of a person kept rendered (see the SQLite
-- migration of the same number for the why).
CREATE TABLE person_view (
    council_id BIGINT NOT NULL,
    person_id BIGINT NOT NULL,
    gen BIGINT NOT NULL DEFAULT 0,
    body TEXT,
    sensitive TEXT,
    etag TEXT,
    shown TEXT,
    changes_on TEXT,
    valid_through TEXT,
    PRIMARY KEY (council_id, person_id)
);
CREATE INDEX person_view_stale ON person_view (council_id, person_id) WHERE body IS NULL;
INSERT INTO person_view (council_id, person_id) SELECT council_id, id FROM people;

-- The one place that clears views: the person's view and every view of
-- the household's members (either may be NULL). Every trigger below says
-- only what a change touches.
CREATE FUNCTION person_view_touch(c BIGINT, household BIGINT, person BIGINT) RETURNS void LANGUAGE sql AS $$
    UPDATE person_view SET gen = gen + 1, body = NULL
     WHERE council_id = c AND person_id = ANY (ARRAY(
           SELECT person_id FROM household_members WHERE council_id = c AND household_id = household
           UNION ALL SELECT person));
$$;

CREATE FUNCTION person_view_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'people' AND TG_OP = 'INSERT' THEN
        INSERT INTO person_view (council_id, person_id) VALUES (NEW.council_id, NEW.id) ON CONFLICT DO NOTHING;
    ELSIF TG_TABLE_NAME = 'people' AND TG_OP = 'DELETE' THEN
        DELETE FROM person_view WHERE council_id = OLD.council_id AND person_id = OLD.id;
    ELSIF TG_TABLE_NAME = 'people' THEN
        PERFORM person_view_touch(NEW.council_id, NULL, NEW.id);
        -- Household members show each other's names.
        IF OLD.given_name IS DISTINCT FROM NEW.given_name OR OLD.family_name IS DISTINCT FROM NEW.family_name THEN
            PERFORM person_view_touch(council_id, household_id, NULL) FROM household_members
              WHERE council_id = NEW.council_id AND person_id = NEW.id;
        END IF;
    ELSIF TG_TABLE_NAME = 'household_members' THEN
        IF TG_OP <> 'INSERT' THEN
            PERFORM person_view_touch(OLD.council_id, OLD.household_id, OLD.person_id);
        END IF;
        IF TG_OP <> 'DELETE' THEN
            PERFORM person_view_touch(NEW.council_id, NEW.household_id, NEW.person_id);
        END IF;
    ELSIF TG_TABLE_NAME = 'households' THEN
        PERFORM person_view_touch(NEW.council_id, NEW.id, NULL);
    ELSE -- properties
        PERFORM person_view_touch(council_id, id, NULL) FROM households
          WHERE council_id = NEW.council_id AND property_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER person_view_people AFTER INSERT OR UPDATE OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION person_view_changed();
CREATE TRIGGER person_view_members AFTER INSERT OR UPDATE OR DELETE ON household_members
    FOR EACH ROW EXECUTE FUNCTION person_view_changed();
CREATE TRIGGER person_view_households AFTER UPDATE ON households
    FOR EACH ROW EXECUTE FUNCTION person_view_changed();
CREATE TRIGGER person_view_properties AFTER UPDATE ON properties
    FOR EACH ROW EXECUTE FUNCTION person_view_changed();
