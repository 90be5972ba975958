-- 0013: contacts counted by day and by month. The PostgreSQL twin of
-- src/store/sqlite/0013_contact_rollup.sql: one trigger keeps both tables in
-- step with contacts in the same transaction as every insert, change and
-- delete.
CREATE TABLE contact_daily (
    council_id BIGINT NOT NULL,
    day TEXT NOT NULL,
    channel TEXT NOT NULL,
    service TEXT NOT NULL,
    contacts BIGINT NOT NULL,
    inbound BIGINT NOT NULL,
    cost_pence BIGINT NOT NULL,
    avoidable_known BIGINT NOT NULL,
    avoidable_chasing BIGINT NOT NULL,
    avoidable_repeat BIGINT NOT NULL,
    avoidable_online BIGINT NOT NULL,
    fcr_known BIGINT NOT NULL,
    fcr_yes BIGINT NOT NULL,
    PRIMARY KEY (council_id, day, channel, service)
);

CREATE TABLE contact_monthly (
    council_id BIGINT NOT NULL,
    month TEXT NOT NULL,
    channel TEXT NOT NULL,
    service TEXT NOT NULL,
    contacts BIGINT NOT NULL,
    inbound BIGINT NOT NULL,
    cost_pence BIGINT NOT NULL,
    avoidable_known BIGINT NOT NULL,
    avoidable_chasing BIGINT NOT NULL,
    avoidable_repeat BIGINT NOT NULL,
    avoidable_online BIGINT NOT NULL,
    fcr_known BIGINT NOT NULL,
    fcr_yes BIGINT NOT NULL,
    PRIMARY KEY (council_id, month, channel, service)
);

-- Adds sign (1 or -1) times one contact to its day's and its month's counts.
CREATE FUNCTION contact_rollup_add(c contacts, sign BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    at TEXT := coalesce(c.started_at, c.created_at);
    inb BIGINT := sign * (CASE WHEN coalesce(c.direction, '') <> 'outbound' THEN 1 ELSE 0 END);
    cost BIGINT := sign * coalesce(c.cost_pence, 0);
    ak BIGINT := sign * (CASE WHEN c.avoidable IS NOT NULL THEN 1 ELSE 0 END);
    ac BIGINT := sign * (CASE WHEN c.avoidable = 'chasing_progress' THEN 1 ELSE 0 END);
    ar BIGINT := sign * (CASE WHEN c.avoidable = 'repeat_information' THEN 1 ELSE 0 END);
    ao BIGINT := sign * (CASE WHEN c.avoidable = 'could_be_online' THEN 1 ELSE 0 END);
    fk BIGINT := sign * (CASE WHEN c.resolved_first_contact IS NOT NULL THEN 1 ELSE 0 END);
    fy BIGINT := sign * (CASE WHEN c.resolved_first_contact THEN 1 ELSE 0 END);
BEGIN
    INSERT INTO contact_daily AS d VALUES (c.council_id, substr(at, 1, 10), c.channel, coalesce(c.service, ''),
                                           sign, inb, cost, ak, ac, ar, ao, fk, fy)
    ON CONFLICT (council_id, day, channel, service) DO UPDATE SET
        contacts = d.contacts + excluded.contacts, inbound = d.inbound + excluded.inbound,
        cost_pence = d.cost_pence + excluded.cost_pence, avoidable_known = d.avoidable_known + excluded.avoidable_known,
        avoidable_chasing = d.avoidable_chasing + excluded.avoidable_chasing,
        avoidable_repeat = d.avoidable_repeat + excluded.avoidable_repeat,
        avoidable_online = d.avoidable_online + excluded.avoidable_online,
        fcr_known = d.fcr_known + excluded.fcr_known, fcr_yes = d.fcr_yes + excluded.fcr_yes;
    INSERT INTO contact_monthly AS m VALUES (c.council_id, substr(at, 1, 7), c.channel, coalesce(c.service, ''),
                                             sign, inb, cost, ak, ac, ar, ao, fk, fy)
    ON CONFLICT (council_id, month, channel, service) DO UPDATE SET
        contacts = m.contacts + excluded.contacts, inbound = m.inbound + excluded.inbound,
        cost_pence = m.cost_pence + excluded.cost_pence, avoidable_known = m.avoidable_known + excluded.avoidable_known,
        avoidable_chasing = m.avoidable_chasing + excluded.avoidable_chasing,
        avoidable_repeat = m.avoidable_repeat + excluded.avoidable_repeat,
        avoidable_online = m.avoidable_online + excluded.avoidable_online,
        fcr_known = m.fcr_known + excluded.fcr_known, fcr_yes = m.fcr_yes + excluded.fcr_yes;
END;
$$;

CREATE FUNCTION contacts_rollup() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM contact_rollup_add(OLD, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM contact_rollup_add(NEW, 1);
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER contacts_rollup AFTER INSERT OR UPDATE OR DELETE ON contacts
    FOR EACH ROW EXECUTE FUNCTION contacts_rollup();

-- The take-up report starts from enrolments begun in the range, the
-- service-level report from requests made in it.
CREATE INDEX enrolments_started ON enrolments (council_id, start_date);
CREATE INDEX requests_created ON requests (council_id, created_at);
