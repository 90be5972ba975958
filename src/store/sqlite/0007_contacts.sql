-- 0007: contacts: every interaction on any channel.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    direction TEXT,
    type TEXT NOT NULL,
    service TEXT,
    reason TEXT,
    person_id INTEGER REFERENCES people(id),
    agent_id INTEGER,
    started_at TEXT,
    ended_at TEXT,
    outcome TEXT,
    resolved_first_contact INTEGER,
    avoidable TEXT,
    cost_pence INTEGER
);
CREATE INDEX contacts_council ON contacts (council_id, id);
CREATE INDEX contacts_person ON contacts (council_id, person_id, id);
CREATE INDEX contacts_started ON contacts (council_id, started_at);
