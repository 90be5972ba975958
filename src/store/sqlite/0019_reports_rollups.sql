-- 0019: rollups for the service-level and take-up reports, kept by
-- triggers in the same transaction as every change, like 0013's for the
-- contact reports, so neither report reads millions of rows.

-- Requests by the day (and month) of their promised date, channel ('' for
-- none) and service: how many, how many resolved, resolved on or before the
-- promised day, after it, and how many are still open (neither resolved
-- nor closed; the report counts them overdue when the day is before today).
-- A request without a promised date is in no report and in no rollup.
CREATE TABLE request_sla_daily (
    council_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    service TEXT NOT NULL,
    requests INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    on_time INTEGER NOT NULL,
    late INTEGER NOT NULL,
    open INTEGER NOT NULL,
    PRIMARY KEY (council_id, day, channel, service)
) WITHOUT ROWID;

CREATE TABLE request_sla_monthly (
    council_id INTEGER NOT NULL,
    month TEXT NOT NULL,
    channel TEXT NOT NULL,
    service TEXT NOT NULL,
    requests INTEGER NOT NULL,
    resolved INTEGER NOT NULL,
    on_time INTEGER NOT NULL,
    late INTEGER NOT NULL,
    open INTEGER NOT NULL,
    PRIMARY KEY (council_id, month, channel, service)
) WITHOUT ROWID;

CREATE TRIGGER requests_sla_insert AFTER INSERT ON requests WHEN NEW.promised_date IS NOT NULL BEGIN
    INSERT INTO request_sla_daily VALUES (
        NEW.council_id, substr(NEW.promised_date, 1, 10), coalesce(NEW.channel, ''), coalesce(NEW.service, ''), 1,
        NEW.resolved_at IS NOT NULL, NEW.resolved_at IS NOT NULL AND substr(NEW.resolved_at, 1, 10) <= substr(NEW.promised_date, 1, 10),
        NEW.resolved_at IS NOT NULL AND substr(NEW.resolved_at, 1, 10) > substr(NEW.promised_date, 1, 10),
        NEW.resolved_at IS NULL AND coalesce(NEW.status, '') NOT IN ('resolved', 'closed'))
    ON CONFLICT (council_id, day, channel, service) DO UPDATE SET
        requests = requests + excluded.requests, resolved = resolved + excluded.resolved,
        on_time = on_time + excluded.on_time, late = late + excluded.late, open = open + excluded.open;
    INSERT INTO request_sla_monthly VALUES (
        NEW.council_id, substr(NEW.promised_date, 1, 7), coalesce(NEW.channel, ''), coalesce(NEW.service, ''), 1,
        NEW.resolved_at IS NOT NULL, NEW.resolved_at IS NOT NULL AND substr(NEW.resolved_at, 1, 10) <= substr(NEW.promised_date, 1, 10),
        NEW.resolved_at IS NOT NULL AND substr(NEW.resolved_at, 1, 10) > substr(NEW.promised_date, 1, 10),
        NEW.resolved_at IS NULL AND coalesce(NEW.status, '') NOT IN ('resolved', 'closed'))
    ON CONFLICT (council_id, month, channel, service) DO UPDATE SET
        requests = requests + excluded.requests, resolved = resolved + excluded.resolved,
        on_time = on_time + excluded.on_time, late = late + excluded.late, open = open + excluded.open;
END;

CREATE TRIGGER requests_sla_delete AFTER DELETE ON requests WHEN OLD.promised_date IS NOT NULL BEGIN
    UPDATE request_sla_daily SET
        requests = requests - 1, resolved = resolved - (OLD.resolved_at IS NOT NULL),
        on_time = on_time - (OLD.resolved_at IS NOT NULL AND substr(OLD.resolved_at, 1, 10) <= substr(OLD.promised_date, 1, 10)),
        late = late - (OLD.resolved_at IS NOT NULL AND substr(OLD.resolved_at, 1, 10) > substr(OLD.promised_date, 1, 10)),
        open = open - (OLD.resolved_at IS NULL AND coalesce(OLD.status, '') NOT IN ('resolved', 'closed'))
    WHERE council_id = OLD.council_id AND day = substr(OLD.promised_date, 1, 10)
      AND channel = coalesce(OLD.channel, '') AND service = coalesce(OLD.service, '');
    UPDATE request_sla_monthly SET
        requests = requests - 1, resolved = resolved - (OLD.resolved_at IS NOT NULL),
        on_time = on_time - (OLD.resolved_at IS NOT NULL AND substr(OLD.resolved_at, 1, 10) <= substr(OLD.promised_date, 1, 10)),
        late = late - (OLD.resolved_at IS NOT NULL AND substr(OLD.resolved_at, 1, 10) > substr(OLD.promised_date, 1, 10)),
        open = open - (OLD.resolved_at IS NULL AND coalesce(OLD.status, '') NOT IN ('resolved', 'closed'))
    WHERE council_id = OLD.council_id AND month = substr(OLD.promised_date, 1, 7)
      AND channel = coalesce(OLD.channel, '') AND service = coalesce(OLD.service, '');
END;

-- A change moves the request out of its old counts (the first trigger) and
-- into its new ones (the second); SQLite runs them in the order made.
CREATE TRIGGER requests_sla_update_old AFTER UPDATE OF council_id, promised_date, channel, service, status, resolved_at
    ON requests WHEN OLD.promised_date IS NOT NULL BEGIN
    UPDATE request_sla_daily SET
        requests = requests - 1, resolved = resolved - (OLD.resolved_at IS NOT NULL),
        on_time = on_time - (OLD.resolved_at IS NOT NULL AND substr(OLD.resolved_at, 1, 10) <= substr(OLD.promised_date, 1, 10)),
        late = late - (OLD.resolved_at IS NOT NULL AND substr(OLD.resolved_at, 1, 10) > substr(OLD.promised_date, 1, 10)),
        open = open - (OLD.resolved_at IS NULL AND coalesce(OLD.status, '') NOT IN ('resolved', 'closed'))
    WHERE council_id = OLD.council_id AND day = substr(OLD.promised_date, 1, 10)
      AND channel = coalesce(OLD.channel, '') AND service = coalesce(OLD.service, '');
    UPDATE request_sla_monthly SET
        requests = requests - 1, resolved = resolved - (OLD.resolved_at IS NOT NULL),
        on_time = on_time - (OLD.resolved_at IS NOT NULL AND substr(OLD.resolved_at, 1, 10) <= substr(OLD.promised_date, 1, 10)),
        late = late - (OLD.resolved_at IS NOT NULL AND substr(OLD.resolved_at, 1, 10) > substr(OLD.promised_date, 1, 10)),
        open = open - (OLD.resolved_at IS NULL AND coalesce(OLD.status, '') NOT IN ('resolved', 'closed'))
    WHERE council_id = OLD.council_id AND month = substr(OLD.promised_date, 1, 7)
      AND channel = coalesce(OLD.channel, '') AND service = coalesce(OLD.service, '');
END;

CREATE TRIGGER requests_sla_update_new AFTER UPDATE OF council_id, promised_date, channel, service, status, resolved_at
    ON requests WHEN NEW.promised_date IS NOT NULL BEGIN
    INSERT INTO request_sla_daily VALUES (
        NEW.council_id, substr(NEW.promised_date, 1, 10), coalesce(NEW.channel, ''), coalesce(NEW.service, ''), 1,
        NEW.resolved_at IS NOT NULL, NEW.resolved_at IS NOT NULL AND substr(NEW.resolved_at, 1, 10) <= substr(NEW.promised_date, 1, 10),
        NEW.resolved_at IS NOT NULL AND substr(NEW.resolved_at, 1, 10) > substr(NEW.promised_date, 1, 10),
        NEW.resolved_at IS NULL AND coalesce(NEW.status, '') NOT IN ('resolved', 'closed'))
    ON CONFLICT (council_id, day, channel, service) DO UPDATE SET
        requests = requests + excluded.requests, resolved = resolved + excluded.resolved,
        on_time = on_time + excluded.on_time, late = late + excluded.late, open = open + excluded.open;
    INSERT INTO request_sla_monthly VALUES (
        NEW.council_id, substr(NEW.promised_date, 1, 7), coalesce(NEW.channel, ''), coalesce(NEW.service, ''), 1,
        NEW.resolved_at IS NOT NULL, NEW.resolved_at IS NOT NULL AND substr(NEW.resolved_at, 1, 10) <= substr(NEW.promised_date, 1, 10),
        NEW.resolved_at IS NOT NULL AND substr(NEW.resolved_at, 1, 10) > substr(NEW.promised_date, 1, 10),
        NEW.resolved_at IS NULL AND coalesce(NEW.status, '') NOT IN ('resolved', 'closed'))
    ON CONFLICT (council_id, month, channel, service) DO UPDATE SET
        requests = requests + excluded.requests, resolved = resolved + excluded.resolved,
        on_time = on_time + excluded.on_time, late = late + excluded.late, open = open + excluded.open;
END;

INSERT INTO request_sla_daily
SELECT council_id, substr(promised_date, 1, 10), coalesce(channel, ''), coalesce(service, ''), count(*),
       sum(resolved_at IS NOT NULL), sum(resolved_at IS NOT NULL AND substr(resolved_at, 1, 10) <= substr(promised_date, 1, 10)),
       sum(resolved_at IS NOT NULL AND substr(resolved_at, 1, 10) > substr(promised_date, 1, 10)),
       sum(resolved_at IS NULL AND coalesce(status, '') NOT IN ('resolved', 'closed'))
FROM requests WHERE promised_date IS NOT NULL GROUP BY 1, 2, 3, 4;
INSERT INTO request_sla_monthly
SELECT council_id, substr(day, 1, 7), channel, service, sum(requests), sum(resolved), sum(on_time), sum(late), sum(open)
FROM request_sla_daily GROUP BY 1, 2, 3, 4;

-- Take-up: the contacts that could be the one a resident came about before
-- taking up two or more other services. Each keeps `starts`, the first day
-- on or after the contact's day that each other service the person is
-- enrolled in started (comma-separated, one per service), and its horizon,
-- the second earliest of those: by then two others had been taken up. A
-- contact counts for a range exactly when its day is in the range and its
-- horizon is not after the range's end, and then it took up as many others
-- as it has starts by the range's end. So the report reads the few rows
-- whose horizon falls in the range instead of every contact and every
-- enrolment; a contact with no horizon never counts and is not kept.
-- Triggers on contacts keep a contact's row; triggers on enrolments work
-- their person's rows out again.
CREATE TABLE takeup_contacts (
    council_id INTEGER NOT NULL,
    horizon TEXT NOT NULL,
    person_id INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    service TEXT NOT NULL,
    channel TEXT NOT NULL,
    contact_id INTEGER NOT NULL,
    starts TEXT NOT NULL,
    PRIMARY KEY (council_id, horizon, person_id, started_at, service, channel, contact_id)
) WITHOUT ROWID;
CREATE INDEX takeup_contacts_contact ON takeup_contacts (council_id, contact_id);
CREATE INDEX takeup_contacts_person ON takeup_contacts (council_id, person_id);
-- Enrolments by person, with the columns a contact's starts are made of.
CREATE INDEX enrolments_person_start ON enrolments (council_id, person_id, start_date, service);

-- Every contact's row as it should be (horizon NULL: none). INDEXED BY:
-- left to itself, SQLite reads the council's every enrolment in service
-- order for the GROUP BY instead of the person's few.
CREATE VIEW takeup_horizons AS
SELECT c.council_id, c.person_id, c.started_at, c.service, c.channel, c.id AS contact_id,
       (SELECT group_concat(m) FROM (
            SELECT min(e.start_date) AS m FROM enrolments e INDEXED BY enrolments_person_start
            WHERE e.council_id = c.council_id AND e.person_id = c.person_id AND e.service <> c.service
              AND e.start_date >= substr(c.started_at, 1, 10)
            GROUP BY e.service ORDER BY m)) AS starts,
       (SELECT min(e.start_date) FROM enrolments e
        WHERE e.council_id = c.council_id AND e.person_id = c.person_id AND e.service <> c.service
          AND e.start_date >= substr(c.started_at, 1, 10)
          AND e.service <> (SELECT f.service FROM enrolments f
                            WHERE f.council_id = c.council_id AND f.person_id = c.person_id AND f.service <> c.service
                              AND f.start_date >= substr(c.started_at, 1, 10)
                            ORDER BY f.start_date, f.service LIMIT 1)) AS horizon
FROM contacts c WHERE c.person_id IS NOT NULL AND c.service IS NOT NULL AND c.started_at IS NOT NULL;

CREATE TRIGGER contacts_takeup_insert AFTER INSERT ON contacts
    WHEN NEW.person_id IS NOT NULL AND NEW.service IS NOT NULL AND NEW.started_at IS NOT NULL BEGIN
    INSERT INTO takeup_contacts
    SELECT council_id, horizon, person_id, started_at, service, channel, contact_id, starts FROM takeup_horizons
    WHERE contact_id = NEW.id AND horizon IS NOT NULL;
END;

CREATE TRIGGER contacts_takeup_delete AFTER DELETE ON contacts
    WHEN OLD.person_id IS NOT NULL AND OLD.service IS NOT NULL AND OLD.started_at IS NOT NULL BEGIN
    DELETE FROM takeup_contacts WHERE council_id = OLD.council_id AND contact_id = OLD.id;
END;

CREATE TRIGGER contacts_takeup_update AFTER UPDATE OF id, council_id, person_id, service, started_at, channel
    ON contacts BEGIN
    DELETE FROM takeup_contacts WHERE council_id = OLD.council_id AND contact_id = OLD.id;
    INSERT INTO takeup_contacts
    SELECT council_id, horizon, person_id, started_at, service, channel, contact_id, starts FROM takeup_horizons
    WHERE contact_id = NEW.id AND horizon IS NOT NULL;
END;

CREATE TRIGGER enrolments_takeup_insert AFTER INSERT ON enrolments BEGIN
    DELETE FROM takeup_contacts WHERE council_id = NEW.council_id AND person_id = NEW.person_id;
    INSERT INTO takeup_contacts
    SELECT council_id, horizon, person_id, started_at, service, channel, contact_id, starts FROM takeup_horizons
    WHERE council_id = NEW.council_id AND person_id = NEW.person_id AND horizon IS NOT NULL;
END;

CREATE TRIGGER enrolments_takeup_delete AFTER DELETE ON enrolments BEGIN
    DELETE FROM takeup_contacts WHERE council_id = OLD.council_id AND person_id = OLD.person_id;
    INSERT INTO takeup_contacts
    SELECT council_id, horizon, person_id, started_at, service, channel, contact_id, starts FROM takeup_horizons
    WHERE council_id = OLD.council_id AND person_id = OLD.person_id AND horizon IS NOT NULL;
END;

-- A change works out the old person's rows and then the new one's.
CREATE TRIGGER enrolments_takeup_update AFTER UPDATE OF council_id, person_id, service, start_date ON enrolments BEGIN
    DELETE FROM takeup_contacts WHERE council_id = OLD.council_id AND person_id = OLD.person_id;
    INSERT INTO takeup_contacts
    SELECT council_id, horizon, person_id, started_at, service, channel, contact_id, starts FROM takeup_horizons
    WHERE council_id = OLD.council_id AND person_id = OLD.person_id AND horizon IS NOT NULL;
    DELETE FROM takeup_contacts WHERE council_id = NEW.council_id AND person_id = NEW.person_id;
    INSERT INTO takeup_contacts
    SELECT council_id, horizon, person_id, started_at, service, channel, contact_id, starts FROM takeup_horizons
    WHERE council_id = NEW.council_id AND person_id = NEW.person_id AND horizon IS NOT NULL;
END;

-- The contacts of the people enrolled in two or more services.
INSERT INTO takeup_contacts
SELECT h.council_id, h.horizon, h.person_id, h.started_at, h.service, h.channel, h.contact_id, h.starts
FROM (SELECT council_id, person_id FROM enrolments GROUP BY council_id, person_id
      HAVING count(DISTINCT service) >= 2) p
JOIN takeup_horizons h ON h.council_id = p.council_id AND h.person_id = p.person_id
WHERE h.horizon IS NOT NULL;
