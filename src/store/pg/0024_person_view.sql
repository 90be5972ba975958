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

CREATE FUNCTION person_view_dirty(c BIGINT, ids BIGINT[]) RETURNS void LANGUAGE sql AS $$
    UPDATE person_view SET gen = gen + 1, body = NULL WHERE council_id = c AND person_id = ANY (ids);
$$;

CREATE FUNCTION person_view_people() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO person_view (council_id, person_id) VALUES (NEW.council_id, NEW.id) ON CONFLICT DO NOTHING;
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM person_view WHERE council_id = OLD.council_id AND person_id = OLD.id;
        RETURN NULL;
    END IF;
    PERFORM person_view_dirty(NEW.council_id, ARRAY[NEW.id]);
    -- Household members show each other's names.
    IF OLD.given_name IS DISTINCT FROM NEW.given_name OR OLD.family_name IS DISTINCT FROM NEW.family_name THEN
        PERFORM person_view_dirty(NEW.council_id, ARRAY(
            SELECT o.person_id FROM household_members m
              JOIN household_members o ON o.council_id = m.council_id AND o.household_id = m.household_id
             WHERE m.council_id = NEW.council_id AND m.person_id = NEW.id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER person_view_people AFTER INSERT OR UPDATE OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION person_view_people();

CREATE FUNCTION person_view_members() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM person_view_dirty(OLD.council_id, ARRAY(
            SELECT person_id FROM household_members WHERE council_id = OLD.council_id AND household_id = OLD.household_id
            UNION ALL SELECT OLD.person_id));
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM person_view_dirty(NEW.council_id, ARRAY(
            SELECT person_id FROM household_members WHERE council_id = NEW.council_id AND household_id = NEW.household_id
            UNION ALL SELECT NEW.person_id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER person_view_members AFTER INSERT OR UPDATE OR DELETE ON household_members
    FOR EACH ROW EXECUTE FUNCTION person_view_members();

CREATE FUNCTION person_view_households() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM person_view_dirty(NEW.council_id, ARRAY(
        SELECT person_id FROM household_members WHERE council_id = NEW.council_id AND household_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER person_view_households AFTER UPDATE ON households
    FOR EACH ROW EXECUTE FUNCTION person_view_households();

CREATE FUNCTION person_view_properties() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM person_view_dirty(NEW.council_id, ARRAY(
        SELECT m.person_id FROM households h
          JOIN household_members m ON m.council_id = h.council_id AND m.household_id = h.id
         WHERE h.council_id = NEW.council_id AND h.property_id = NEW.id));
    RETURN NULL;
END $$;
CREATE TRIGGER person_view_properties AFTER UPDATE ON properties
    FOR EACH ROW EXECUTE FUNCTION person_view_properties();
