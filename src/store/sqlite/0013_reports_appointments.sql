-- 0013: contacts counted by day and by month, for the management reports.
-- Triggers keep both tables in step with contacts in the same transaction
-- as every insert, change and delete, so a report reads at most a few
-- thousand rows (whole months from contact_monthly, the odd days at either
-- end from contact_daily) and gives exactly what counting the contacts
-- themselves would. service is '' for a contact about no service.
CREATE TABLE contact_daily (
    council_id INTEGER NOT NULL,
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    service TEXT NOT NULL,
    contacts INTEGER NOT NULL,
    inbound INTEGER NOT NULL,
    cost_pence INTEGER NOT NULL,
    avoidable_known INTEGER NOT NULL,
    avoidable_chasing INTEGER NOT NULL,
    avoidable_repeat INTEGER NOT NULL,
    avoidable_online INTEGER NOT NULL,
    fcr_known INTEGER NOT NULL,
    fcr_yes INTEGER NOT NULL,
    PRIMARY KEY (council_id, day, channel, service)
) WITHOUT ROWID;

CREATE TABLE contact_monthly (
    council_id INTEGER NOT NULL,
    month TEXT NOT NULL,
    channel TEXT NOT NULL,
    service TEXT NOT NULL,
    contacts INTEGER NOT NULL,
    inbound INTEGER NOT NULL,
    cost_pence INTEGER NOT NULL,
    avoidable_known INTEGER NOT NULL,
    avoidable_chasing INTEGER NOT NULL,
    avoidable_repeat INTEGER NOT NULL,
    avoidable_online INTEGER NOT NULL,
    fcr_known INTEGER NOT NULL,
    fcr_yes INTEGER NOT NULL,
    PRIMARY KEY (council_id, month, channel, service)
) WITHOUT ROWID;

CREATE TRIGGER contacts_rollup_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contact_daily VALUES (
        NEW.council_id, substr(coalesce(NEW.started_at, NEW.created_at), 1, 10), NEW.channel, coalesce(NEW.service, ''),
        1, coalesce(NEW.direction, '') <> 'outbound', coalesce(NEW.cost_pence, 0),
        NEW.avoidable IS NOT NULL, NEW.avoidable IS 'chasing_progress', NEW.avoidable IS 'repeat_information',
        NEW.avoidable IS 'could_be_online', NEW.resolved_first_contact IS NOT NULL, coalesce(NEW.resolved_first_contact, 0) <> 0)
    ON CONFLICT (council_id, day, channel, service) DO UPDATE SET
        contacts = contacts + excluded.contacts, inbound = inbound + excluded.inbound,
        cost_pence = cost_pence + excluded.cost_pence, avoidable_known = avoidable_known + excluded.avoidable_known,
        avoidable_chasing = avoidable_chasing + excluded.avoidable_chasing,
        avoidable_repeat = avoidable_repeat + excluded.avoidable_repeat,
        avoidable_online = avoidable_online + excluded.avoidable_online,
        fcr_known = fcr_known + excluded.fcr_known, fcr_yes = fcr_yes + excluded.fcr_yes;
    INSERT INTO contact_monthly VALUES (
        NEW.council_id, substr(coalesce(NEW.started_at, NEW.created_at), 1, 7), NEW.channel, coalesce(NEW.service, ''),
        1, coalesce(NEW.direction, '') <> 'outbound', coalesce(NEW.cost_pence, 0),
        NEW.avoidable IS NOT NULL, NEW.avoidable IS 'chasing_progress', NEW.avoidable IS 'repeat_information',
        NEW.avoidable IS 'could_be_online', NEW.resolved_first_contact IS NOT NULL, coalesce(NEW.resolved_first_contact, 0) <> 0)
    ON CONFLICT (council_id, month, channel, service) DO UPDATE SET
        contacts = contacts + excluded.contacts, inbound = inbound + excluded.inbound,
        cost_pence = cost_pence + excluded.cost_pence, avoidable_known = avoidable_known + excluded.avoidable_known,
        avoidable_chasing = avoidable_chasing + excluded.avoidable_chasing,
        avoidable_repeat = avoidable_repeat + excluded.avoidable_repeat,
        avoidable_online = avoidable_online + excluded.avoidable_online,
        fcr_known = fcr_known + excluded.fcr_known, fcr_yes = fcr_yes + excluded.fcr_yes;
END;

CREATE TRIGGER contacts_rollup_delete AFTER DELETE ON contacts BEGIN
    UPDATE contact_daily SET
        contacts = contacts - 1, inbound = inbound - (coalesce(OLD.direction, '') <> 'outbound'),
        cost_pence = cost_pence - coalesce(OLD.cost_pence, 0), avoidable_known = avoidable_known - (OLD.avoidable IS NOT NULL),
        avoidable_chasing = avoidable_chasing - (OLD.avoidable IS 'chasing_progress'),
        avoidable_repeat = avoidable_repeat - (OLD.avoidable IS 'repeat_information'),
        avoidable_online = avoidable_online - (OLD.avoidable IS 'could_be_online'),
        fcr_known = fcr_known - (OLD.resolved_first_contact IS NOT NULL),
        fcr_yes = fcr_yes - (coalesce(OLD.resolved_first_contact, 0) <> 0)
    WHERE council_id = OLD.council_id AND day = substr(coalesce(OLD.started_at, OLD.created_at), 1, 10)
      AND channel = OLD.channel AND service = coalesce(OLD.service, '');
    UPDATE contact_monthly SET
        contacts = contacts - 1, inbound = inbound - (coalesce(OLD.direction, '') <> 'outbound'),
        cost_pence = cost_pence - coalesce(OLD.cost_pence, 0), avoidable_known = avoidable_known - (OLD.avoidable IS NOT NULL),
        avoidable_chasing = avoidable_chasing - (OLD.avoidable IS 'chasing_progress'),
        avoidable_repeat = avoidable_repeat - (OLD.avoidable IS 'repeat_information'),
        avoidable_online = avoidable_online - (OLD.avoidable IS 'could_be_online'),
        fcr_known = fcr_known - (OLD.resolved_first_contact IS NOT NULL),
        fcr_yes = fcr_yes - (coalesce(OLD.resolved_first_contact, 0) <> 0)
    WHERE council_id = OLD.council_id AND month = substr(coalesce(OLD.started_at, OLD.created_at), 1, 7)
      AND channel = OLD.channel AND service = coalesce(OLD.service, '');
END;

-- A change moves the contact out of its old counts and into its new ones.
CREATE TRIGGER contacts_rollup_update AFTER UPDATE OF council_id, channel, direction, service, started_at, created_at,
    cost_pence, avoidable, resolved_first_contact ON contacts BEGIN
    UPDATE contact_daily SET
        contacts = contacts - 1, inbound = inbound - (coalesce(OLD.direction, '') <> 'outbound'),
        cost_pence = cost_pence - coalesce(OLD.cost_pence, 0), avoidable_known = avoidable_known - (OLD.avoidable IS NOT NULL),
        avoidable_chasing = avoidable_chasing - (OLD.avoidable IS 'chasing_progress'),
        avoidable_repeat = avoidable_repeat - (OLD.avoidable IS 'repeat_information'),
        avoidable_online = avoidable_online - (OLD.avoidable IS 'could_be_online'),
        fcr_known = fcr_known - (OLD.resolved_first_contact IS NOT NULL),
        fcr_yes = fcr_yes - (coalesce(OLD.resolved_first_contact, 0) <> 0)
    WHERE council_id = OLD.council_id AND day = substr(coalesce(OLD.started_at, OLD.created_at), 1, 10)
      AND channel = OLD.channel AND service = coalesce(OLD.service, '');
    UPDATE contact_monthly SET
        contacts = contacts - 1, inbound = inbound - (coalesce(OLD.direction, '') <> 'outbound'),
        cost_pence = cost_pence - coalesce(OLD.cost_pence, 0), avoidable_known = avoidable_known - (OLD.avoidable IS NOT NULL),
        avoidable_chasing = avoidable_chasing - (OLD.avoidable IS 'chasing_progress'),
        avoidable_repeat = avoidable_repeat - (OLD.avoidable IS 'repeat_information'),
        avoidable_online = avoidable_online - (OLD.avoidable IS 'could_be_online'),
        fcr_known = fcr_known - (OLD.resolved_first_contact IS NOT NULL),
        fcr_yes = fcr_yes - (coalesce(OLD.resolved_first_contact, 0) <> 0)
    WHERE council_id = OLD.council_id AND month = substr(coalesce(OLD.started_at, OLD.created_at), 1, 7)
      AND channel = OLD.channel AND service = coalesce(OLD.service, '');
    INSERT INTO contact_daily VALUES (
        NEW.council_id, substr(coalesce(NEW.started_at, NEW.created_at), 1, 10), NEW.channel, coalesce(NEW.service, ''),
        1, coalesce(NEW.direction, '') <> 'outbound', coalesce(NEW.cost_pence, 0),
        NEW.avoidable IS NOT NULL, NEW.avoidable IS 'chasing_progress', NEW.avoidable IS 'repeat_information',
        NEW.avoidable IS 'could_be_online', NEW.resolved_first_contact IS NOT NULL, coalesce(NEW.resolved_first_contact, 0) <> 0)
    ON CONFLICT (council_id, day, channel, service) DO UPDATE SET
        contacts = contacts + excluded.contacts, inbound = inbound + excluded.inbound,
        cost_pence = cost_pence + excluded.cost_pence, avoidable_known = avoidable_known + excluded.avoidable_known,
        avoidable_chasing = avoidable_chasing + excluded.avoidable_chasing,
        avoidable_repeat = avoidable_repeat + excluded.avoidable_repeat,
        avoidable_online = avoidable_online + excluded.avoidable_online,
        fcr_known = fcr_known + excluded.fcr_known, fcr_yes = fcr_yes + excluded.fcr_yes;
    INSERT INTO contact_monthly VALUES (
        NEW.council_id, substr(coalesce(NEW.started_at, NEW.created_at), 1, 7), NEW.channel, coalesce(NEW.service, ''),
        1, coalesce(NEW.direction, '') <> 'outbound', coalesce(NEW.cost_pence, 0),
        NEW.avoidable IS NOT NULL, NEW.avoidable IS 'chasing_progress', NEW.avoidable IS 'repeat_information',
        NEW.avoidable IS 'could_be_online', NEW.resolved_first_contact IS NOT NULL, coalesce(NEW.resolved_first_contact, 0) <> 0)
    ON CONFLICT (council_id, month, channel, service) DO UPDATE SET
        contacts = contacts + excluded.contacts, inbound = inbound + excluded.inbound,
        cost_pence = cost_pence + excluded.cost_pence, avoidable_known = avoidable_known + excluded.avoidable_known,
        avoidable_chasing = avoidable_chasing + excluded.avoidable_chasing,
        avoidable_repeat = avoidable_repeat + excluded.avoidable_repeat,
        avoidable_online = avoidable_online + excluded.avoidable_online,
        fcr_known = fcr_known + excluded.fcr_known, fcr_yes = fcr_yes + excluded.fcr_yes;
END;

-- The take-up report starts from enrolments begun in the range and reads
-- their people's contacts; the service-level report reads the requests
-- due in the range.
CREATE INDEX enrolments_started ON enrolments (council_id, start_date);
-- Covering: take-up reads these people's contacts from the index alone.
CREATE INDEX contacts_person_started ON contacts (council_id, person_id, started_at, service, channel);
-- Covering: the service-level report reads these columns from the index alone.
CREATE INDEX requests_promised ON requests (council_id, promised_date, channel, service, status, resolved_at);

-- Appointments (catalogue/locations.txt has the slots). A booked
-- appointment holds one seat of its slot, 1 to the slot's capacity; the
-- unique index is what keeps a slot from being overbooked, however many
-- bookings race for it. A cancelled one gives its seat up (NULL).
CREATE TABLE appointments (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    service TEXT NOT NULL,
    location TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    ends_at TEXT,
    status TEXT NOT NULL,
    seat INTEGER,
    note TEXT,
    cancel_reason TEXT,
    reminder_id INTEGER
);
CREATE INDEX appointments_council ON appointments (council_id, id);
CREATE INDEX appointments_person ON appointments (council_id, person_id, id);
CREATE UNIQUE INDEX appointments_seat ON appointments (council_id, location, service, starts_at, seat);

-- A contact's request: the one it made or was about.
ALTER TABLE contacts ADD COLUMN request_id INTEGER REFERENCES requests(id);
CREATE INDEX contacts_request ON contacts (council_id, request_id);
