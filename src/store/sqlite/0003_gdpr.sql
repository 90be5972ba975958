-- 0003: GDPR: erasure marker on people, consent per purpose (rows are history).
ALTER TABLE people ADD COLUMN erased_at TEXT;

CREATE TABLE consents (
    id INTEGER PRIMARY KEY,
    council_id INTEGER NOT NULL REFERENCES councils(id),
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    person_id INTEGER NOT NULL REFERENCES people(id),
    purpose TEXT NOT NULL,
    given INTEGER NOT NULL,
    channel TEXT,
    note TEXT
);
CREATE INDEX consents_person ON consents (council_id, person_id, id);
CREATE INDEX users_person ON users (council_id, person_id);
