-- 0010: the notification outbox. A message is queued in the same
-- transaction as the change it tells of, so it is never lost nor sent for
-- a change that was rolled back; a worker sends it (jobs/outbox.c).
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    person_id INTEGER REFERENCES people(id),
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT,
    body TEXT NOT NULL,
    about TEXT,
    about_id INTEGER,
    status TEXT NOT NULL,
    attempts INTEGER,
    next_attempt_at TEXT,
    sent_at TEXT,
    provider_ref TEXT,
    last_error TEXT
);
CREATE INDEX notifications_person ON notifications (council_id, person_id, id);
CREATE INDEX notifications_status ON notifications (council_id, status, id);
CREATE INDEX notifications_about ON notifications (council_id, about, about_id);
