-- 0019: rollups for the service-level and take-up reports. The PostgreSQL
-- twin of src/store/sqlite/0019_reports_rollups.sql (which explains them):
-- triggers keep them in step in the same transaction as every change.
CREATE TABLE request_sla_daily (
    council_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    service TEXT NOT NULL,
    requests BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    late BIGINT NOT NULL,
    open BIGINT NOT NULL,
    PRIMARY KEY (council_id, day, channel, service)
);

CREATE TABLE request_sla_monthly (
    council_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    channel TEXT NOT NULL,
    service TEXT NOT NULL,
    requests BIGINT NOT NULL,
    resolved BIGINT NOT NULL,
    on_time BIGINT NOT NULL,
    late BIGINT NOT NULL,
    open BIGINT NOT NULL,
    PRIMARY KEY (council_id, month, channel, service)
);

-- Adds sign (1 or -1) times one request to its day's and month's counts.
CREATE FUNCTION request_sla_add(r requests, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    due TEXT := to_char(r.promised_date, 'YYYY-MM-DD');
    res BIGINT := sign * (CASE WHEN r.resolved_at IS NOT NULL THEN 1 ELSE 0 END);
    ont BIGINT := sign * (CASE WHEN r.resolved_at IS NOT NULL AND substr(r.resolved_at, 1, 10) COLLATE "C" <= due
                               THEN 1 ELSE 0 END);
    lat BIGINT := sign * (CASE WHEN r.resolved_at IS NOT NULL AND substr(r.resolved_at, 1, 10) COLLATE "C" > due
                               THEN 1 ELSE 0 END);
    opn BIGINT := sign * (CASE WHEN r.resolved_at IS NULL AND coalesce(r.status, '') NOT IN ('resolved', 'closed')
                               THEN 1 ELSE 0 END);
BEGIN
    INSERT INTO request_sla_daily AS d VALUES (r.council_id, due, coalesce(r.channel, ''), coalesce(r.service, ''),
                                               sign, res, ont, lat, opn)
    ON CONFLICT (council_id, day, channel, service) DO UPDATE SET
        requests = d.requests + excluded.requests, resolved = d.resolved + excluded.resolved,
        on_time = d.on_time + excluded.on_time, late = d.late + excluded.late, open = d.open + excluded.open;
    INSERT INTO request_sla_monthly AS m VALUES (r.council_id, substr(due, 1, 7), coalesce(r.channel, ''),
                                                 coalesce(r.service, ''), sign, res, ont, lat, opn)
    ON CONFLICT (council_id, month, channel, service) DO UPDATE SET
        requests = m.requests + excluded.requests, resolved = m.resolved + excluded.resolved,
        on_time = m.on_time + excluded.on_time, late = m.late + excluded.late, open = m.open + excluded.open;
END;
$$;

CREATE FUNCTION requests_sla() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.promised_date IS NOT NULL THEN
        PERFORM request_sla_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.promised_date IS NOT NULL THEN
        PERFORM request_sla_add(NEW, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER requests_sla AFTER INSERT OR DELETE OR UPDATE OF council_id, promised_date, channel, service, status,
    resolved_at ON requests FOR EACH ROW EXECUTE FUNCTION requests_sla();

INSERT INTO request_sla_daily
SELECT council_id, to_char(promised_date, 'YYYY-MM-DD'), coalesce(channel, ''), coalesce(service, ''), count(*),
       sum(CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END),
       sum(CASE WHEN resolved_at IS NOT NULL
                 AND substr(resolved_at, 1, 10) COLLATE "C" <= to_char(promised_date, 'YYYY-MM-DD') THEN 1 ELSE 0 END),
       sum(CASE WHEN resolved_at IS NOT NULL
                 AND substr(resolved_at, 1, 10) COLLATE "C" > to_char(promised_date, 'YYYY-MM-DD') THEN 1 ELSE 0 END),
       sum(CASE WHEN resolved_at IS NULL AND coalesce(status, '') NOT IN ('resolved', 'closed') THEN 1 ELSE 0 END)
FROM requests WHERE promised_date IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO request_sla_monthly
SELECT council_id, substr(day, 1, 7), channel, service, sum(requests), sum(resolved), sum(on_time), sum(late), sum(open)
FROM request_sla_daily GROUP BY 1, 2, 3, 4;

-- Take-up: the contacts that can count, with the first start from their
-- day of each other service their person is enrolled in and the horizon,
-- the second earliest of those.
CREATE TABLE takeup_contacts (
    council_id BIGINT NOT NULL,
    horizon DATE NOT NULL,
    person_id BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    service TEXT NOT NULL,
    channel TEXT NOT NULL,
    contact_id BIGINT NOT NULL,
    starts TEXT NOT NULL,
    PRIMARY KEY (council_id, horizon, person_id, started_at, service, channel, contact_id)
);
CREATE INDEX takeup_contacts_contact ON takeup_contacts (council_id, contact_id);
CREATE INDEX takeup_contacts_person ON takeup_contacts (council_id, person_id);
CREATE INDEX enrolments_person_start ON enrolments (council_id, person_id, start_date, service);

-- Every contact's row as it should be (horizon NULL: none).
CREATE VIEW takeup_horizons AS
SELECT c.council_id, s.horizon, c.person_id, c.started_at, c.service, c.channel, c.id AS contact_id, s.starts
FROM contacts c
CROSS JOIN LATERAL (
    SELECT string_agg(to_char(x.m, 'YYYY-MM-DD'), ',' ORDER BY x.m) AS starts, (array_agg(x.m ORDER BY x.m))[2] AS horizon
    FROM (SELECT min(e.start_date) AS m FROM enrolments e
          WHERE e.council_id = c.council_id AND e.person_id = c.person_id AND e.service <> c.service
            AND to_char(e.start_date, 'YYYY-MM-DD') >= substr(c.started_at, 1, 10) COLLATE "C"
          GROUP BY e.service) x
) s
WHERE c.person_id IS NOT NULL AND c.service IS NOT NULL AND c.started_at IS NOT NULL;

-- One person's rows, worked out again.
CREATE FUNCTION takeup_person(cid BIGINT, pid BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM takeup_contacts WHERE council_id = cid AND person_id = pid;
    INSERT INTO takeup_contacts (council_id, horizon, person_id, started_at, service, channel, contact_id, starts)
    SELECT h.council_id, h.horizon, h.person_id, h.started_at, h.service, h.channel, h.contact_id, h.starts
    FROM takeup_horizons h WHERE h.council_id = cid AND h.person_id = pid AND h.horizon IS NOT NULL;
END;
$$;

CREATE FUNCTION contacts_takeup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM takeup_contacts WHERE council_id = OLD.council_id AND contact_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.person_id IS NOT NULL AND NEW.service IS NOT NULL
       AND NEW.started_at IS NOT NULL THEN
        INSERT INTO takeup_contacts (council_id, horizon, person_id, started_at, service, channel, contact_id, starts)
        SELECT h.council_id, h.horizon, h.person_id, h.started_at, h.service, h.channel, h.contact_id, h.starts
        FROM takeup_horizons h WHERE h.council_id = NEW.council_id AND h.contact_id = NEW.id AND h.horizon IS NOT NULL;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER contacts_takeup AFTER INSERT OR DELETE OR UPDATE OF id, council_id, person_id, service, started_at, channel
    ON contacts FOR EACH ROW EXECUTE FUNCTION contacts_takeup();

CREATE FUNCTION enrolments_takeup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM takeup_person(OLD.council_id, OLD.person_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM takeup_person(NEW.council_id, NEW.person_id);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER enrolments_takeup AFTER INSERT OR DELETE OR UPDATE OF council_id, person_id, service, start_date
    ON enrolments FOR EACH ROW EXECUTE FUNCTION enrolments_takeup();

INSERT INTO takeup_contacts (council_id, horizon, person_id, started_at, service, channel, contact_id, starts)
SELECT h.council_id, h.horizon, h.person_id, h.started_at, h.service, h.channel, h.contact_id, h.starts
FROM takeup_horizons h
WHERE h.horizon IS NOT NULL AND (h.council_id, h.person_id) IN (
    SELECT council_id, person_id FROM enrolments GROUP BY council_id, person_id HAVING count(DISTINCT service) >= 2);
